"""The lab's own samples: go_samples/<scenario>, run as leaky / fixed / exercise."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from .build import build
from .errors import TargetError
from .measure import Run, RunOptions, gc_every_for, measure
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


def sample_options(variant: str, duration: float, options: RunOptions | None = None, **changes) -> RunOptions:
    """The options a sample's run of `duration` seconds is measured with: `options` with `changes`
    (any `RunOptions` field), labelled with the variant unless given a label. The driver ends
    itself after `duration`; the probe's deadline is SLACK_S later, and forced GCs are paced by
    the driver's own duration."""
    o = RunOptions.of(options, **changes)
    return o.but(duration=duration + SLACK_S, label=o.label or variant,
                 gc_every_ms=gc_every_for(duration) if o.gc_every_ms is None else o.gc_every_ms)


def sample_argv(variant: str, duration: float, args: list[str] | None = None) -> list[str]:
    """The driver's command line: which variant, for how long, and the lab's own arguments."""
    if variant not in VARIANTS:
        raise TargetError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    return ["-variant", variant, "-duration", f"{duration:g}s", *(args or [])]


def run_sample(scenario: str, variant: str = "leaky", duration: float = 2.0, args: list[str] | None = None,
               go: str | None = None, options: RunOptions | None = None, **changes) -> Run:
    """Build (cached) and run one variant of a lab sample for `duration` seconds.

    `go`: another toolchain installed at set-up (e.g. "1.22"); `options` and other keywords are
    `RunOptions` (label, env, keep, heap_at, goroutines_every, trace, http_fetch, rss_cap, ...)."""
    argv = sample_argv(variant, duration, args)
    opts = sample_options(variant, duration, options, **changes)
    return measure(build(scenario_dir(scenario), go_for(go)), argv, opts)


def compare(scenario: str, duration: float = 2.0, variants=("leaky", "fixed"), args=None,
            together: bool = True, **kw) -> list[Run]:
    """Run several variants of one sample with the same settings: at the same time (each
    program mostly waits; see `supervise.together`), or one after the other."""
    calls = [functools.partial(run_sample, scenario, v, duration, args, **kw) for v in variants]
    return run_together(calls, at_once=None if together else 1)
