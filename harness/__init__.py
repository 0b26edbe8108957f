"""Go Leak Lab harness: build any Go program with an injected probe, run it under supervision,
and judge whether it leaks goroutines or memory, with the numbers.

Notebooks use the functions re-exported here; the CLI is `python -m harness`. One way to run a
lab sample (`run`, and `compare` for its variants side by side), one check per thing checked:
`check` (any Go program), `check_exercise` (a lab's exercise), `check_task` (a lab's task). How a
program is run and measured is one `RunOptions`; the functions also take its fields as keywords. Each name is imported on first use (PEP 562), so a command such as
`python -m harness check` starts without matplotlib and the notebook layer.
"""

_FROM = {
    "build": ["build"],
    "errors": ["BuildError", "LeakLabError", "RunFailed", "TargetError", "ToolchainError"],
    "gotools": ["go_test", "go_vet"],
    "measure": ["Run", "RunOptions", "check", "measure"],
    "notebook": ["Stopped", "check_exercise", "check_task", "compare", "course_map", "details", "doctor", "hint",
                 "predict", "record_skip", "reset_exercise", "reset_task", "reveal", "run", "show", "show_code",
                 "show_diff", "show_solution", "side_by_side"],
    "plot": ["COLORS", "plot_runs"],
    "samples": ["scenarios"],
    "toolchain": ["find_go", "go_for"],
    "verdict": ["Thresholds", "Verdict", "decide"],
}
_LAZY = {name: module for module, names in _FROM.items() for name in names}
__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'harness' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
