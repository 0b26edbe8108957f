"""The lab's own samples: go_samples/<scenario>, run as leaky / fixed / exercise."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from .build import build
from .errors import TargetError
from .measure import Run, gc_every_for, measure
from .supervise import together as run_together
from .toolchain import go_for

VARIANTS = ("leaky", "fixed", "exercise")
SLACK_S = 8.0  # the driver ends itself after -duration; the probe stops it this much later


def samples_dir() -> Path:
    """The lab's Go samples: $LEAKLAB_SAMPLES, else those of the learner's workspace this runs in
    (see `workspace`), else the lab's own."""
    if os.environ.get("LEAKLAB_SAMPLES"):
        return Path(os.environ["LEAKLAB_SAMPLES"])
    from .workspace import find
    ws = find()
    return ws / "go_samples" if ws else Path(__file__).resolve().parent.parent / "go_samples"


def scenarios() -> list[str]:
    """Scenario names: folders of go_samples holding a driver (main.go) and its variants
    (leaky.go, fixed.go)."""
    root = samples_dir()
    return sorted(p.name for p in root.iterdir()
                  if all((p / f).exists() for f in ("main.go", "leaky.go", "fixed.go"))) if root.exists() else []


def scenario_dir(scenario: str) -> Path:
    """A scenario's folder; any Go package folder under go_samples (e.g. "internals/escape",
    "watchdog") also works."""
    if scenario in scenarios():
        return samples_dir() / scenario
    d = samples_dir() / scenario
    if scenario and ".." not in Path(scenario).parts and d.is_dir() and any(d.glob("*.go")):
        return d
    raise TargetError(f"unknown sample {scenario!r}; known: {', '.join(scenarios()) or 'none'}")


def run_sample(scenario: str, variant: str = "leaky", duration: float = 2.0, args: list[str] | None = None,
               go: str | None = None, label: str | None = None, **kw) -> Run:
    """Build (cached) and run one variant of a lab sample for `duration` seconds.

    `go`: another toolchain installed at set-up (e.g. "1.22"); other keywords go to `measure`
    (env, keep, heap_at, goroutines_every, trace, http_fetch, rss_cap, ...)."""
    if variant not in VARIANTS:
        raise TargetError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    toolchain = go_for(go)
    binary = build(scenario_dir(scenario), toolchain)
    argv = ["-variant", variant, "-duration", f"{duration:g}s", *(args or [])]
    kw.setdefault("gc_every_ms", gc_every_for(duration))  # the driver's own duration, not the deadline
    return measure(binary, argv, duration + SLACK_S, label=label or variant, **kw)


def compare(scenario: str, duration: float = 2.0, variants=("leaky", "fixed"), args=None,
            together: bool = True, **kw) -> list[Run]:
    """Run several variants of one sample with the same settings: at the same time (each
    program mostly waits; see `supervise.together`), or one after the other."""
    calls = [functools.partial(run_sample, scenario, v, duration, args, **kw) for v in variants]
    return run_together(calls, at_once=None if together else 1)
