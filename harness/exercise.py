"""Exercises: the learner edits go_samples/<scenario>/exercise.go; these check, reset and list them."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildError, LeakLabError, ToolchainError
from .measure import Run
from .samples import run_sample, scenario_dir, scenarios
from .toolchain import find_go, missing_module


@dataclass
class ExerciseResult:
    scenario: str
    fixed: bool
    line: str                 # the one-line answer, with numbers
    run: Run | None
    gotest_passed: bool | None
    gotest_output: str
    state: str = ""           # fixed | still leaking | does not build | did not finish
    build_messages: list[str] = field(default_factory=list)  # Go's own, when it does not build

    def __str__(self) -> str:
        return self.line


def pristine(scenario: str) -> Path:
    """The exercise as it starts (kept in testdata/, which Go ignores)."""
    return scenario_dir(scenario) / "testdata" / "exercise.go"


def _gotest(scenario: str) -> tuple[bool | None, str]:
    go = find_go()
    res = go.run("test", "-count=1", "-run", "^TestExercise$", f"./{scenario}/",
                 cwd=scenario_dir(scenario).parent, timeout=300,
                 extra_env={"LEAKLAB_CHECK_EXERCISE": "1"})
    out = (res.stdout + res.stderr).strip()
    if res.returncode != 0 and (line := missing_module(out)):
        raise ToolchainError(line)  # the set-up is incomplete, not the learner's code
    return res.returncode == 0, out


def check(scenario: str, duration: float = 2.0, gotest: bool = True, on_step=None, **kw) -> ExerciseResult:
    """Build and run the exercise variant, then its go test; one line says whether the leak is
    gone. `on_step(text)` hears what it is doing (for a notebook's status line); other keywords
    go to `run_sample` (e.g. progress=)."""
    step = on_step or (lambda text: None)
    step("building and running your exercise.go")
    try:
        run = run_sample(scenario, "exercise", duration, **kw)
    except BuildError as err:  # Go's own file:line messages, and nothing after them
        return ExerciseResult(scenario, False, f"does not build: {err.messages[0] if err.messages else err}",
                              None, None, "", "does not build", list(err.messages))
    except LeakLabError as err:
        return ExerciseResult(scenario, False, f"does not build or run: {err}", None, None, "", "did not finish")
    if gotest:
        step("running its go test (goleak): go test -run TestExercise")
    passed, out = _gotest(scenario) if gotest else (None, "")
    v = run.verdict
    if not run.ok:
        line, state = f"did not finish: {run.message}", "did not finish"
    elif v.leak:
        line, state = "still leaking: " + v.headline.removeprefix("LEAK: "), "still leaking"
    else:
        line, state = "fixed: " + v.headline.removeprefix("clean: "), "fixed"
    if passed is not None:
        line += "; go test " + ("passes" if passed else "FAILS")
        if state == "fixed" and not passed:
            state = "still leaking"
    return ExerciseResult(scenario, state == "fixed", line, run, passed, out, state)


def reset(scenario: str) -> Path:
    """Put exercise.go back as it started; returns its path."""
    src = pristine(scenario)
    if not src.exists():
        raise LeakLabError(f"{scenario} has no exercise to reset ({src} is missing)")
    dst = scenario_dir(scenario) / "exercise.go"
    shutil.copyfile(src, dst)
    return dst


def status(duration: float = 1.0) -> list[tuple[str, str, str]]:
    """(scenario, edited?, check line) for every scenario that has an exercise."""
    rows = []
    for name in scenarios():
        if not pristine(name).exists():
            continue
        edited = (scenario_dir(name) / "exercise.go").read_bytes() != pristine(name).read_bytes()
        rows.append((name, "edited" if edited else "untouched", check(name, duration).line))
    return rows
