"""Go Leak Lab harness: build any Go program with an injected probe, run it under supervision,
and judge whether it leaks goroutines or memory, with the numbers.

Notebooks use the functions re-exported here; the CLI is `python -m harness`. One check per
thing checked: `check` (any Go program), `check_exercise` (a lab's exercise), `check_task` (a
lab's task).
"""

from .build import build
from .errors import BuildError, LeakLabError, RunFailed, TargetError, ToolchainError
from .gotools import go_test, go_vet
from .measure import Run, check, measure
from .notebook import (Stopped, check_exercise, check_task, compare, course_map, details, doctor, hint, predict,
                       record_skip, reset_exercise, reset_task, reveal, run, show, show_code, show_diff, show_solution,
                       side_by_side)
from .plot import COLORS, plot_runs
from .samples import run_sample, scenarios
from .toolchain import find_go, go_for
from .verdict import Thresholds, Verdict, decide

__all__ = [
    "build", "check", "measure", "Run", "run_sample", "scenarios", "find_go", "go_for",
    "plot_runs", "COLORS", "Thresholds", "Verdict", "decide",
    "run", "compare", "side_by_side", "show", "show_code", "show_diff", "show_solution", "check_exercise",
    "hint", "reset_exercise", "doctor", "course_map", "go_vet", "go_test", "record_skip", "predict", "reveal", "details", "check_task", "reset_task",
    "LeakLabError", "BuildError", "TargetError", "ToolchainError", "RunFailed", "Stopped",
]
