"""Hands-on tasks of the labs that have no leaky/fixed exercise (10-22): each task is a file the
learner edits or an answer they fill in a cell, and a check that answers in one line with numbers.

A task lives in a folder of go_samples (`package`): the files the learner edits, their pristine
copies in `testdata/`, the reference solution in `testdata/` (`solution_<file>` for a file,
`solution.json` for a cell answer) and `testdata/hints.md`. Each lab's module in
`harness/lessons/` registers its task with `@task(...)`; the notebook calls `lab.check_task(name, ...)`.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .errors import LeakLabError
from .samples import scenario_dir


@dataclass
class TaskResult:
    """What a check says: done or not, one line with the numbers, and optional markdown below it."""

    done: bool
    line: str
    details: str = ""


@dataclass
class Task:
    name: str
    package: str                       # a go_samples folder, e.g. "internals/escape"
    check: Callable[..., TaskResult]   # check(answer=None, **kw): the answer is a cell task's
    files: tuple[str, ...] = ()        # what the learner edits (file tasks)
    answer: bool = False               # a cell task: the learner passes an answer
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return scenario_dir(self.package)

    def pristine(self, file: str) -> Path:
        return self.folder / "testdata" / file

    def solution_file(self, file: str) -> Path:
        return self.folder / "testdata" / f"solution_{file}"

    def solution_answer(self) -> Any:
        return json.loads((self.folder / "testdata" / "solution.json").read_text())

    def reset(self) -> list[Path]:
        """Put every file the learner edits back as it started."""
        out = []
        for f in self.files:
            shutil.copyfile(self.pristine(f), self.folder / f)
            out.append(self.folder / f)
        return out


TASKS: dict[str, Task] = {}


def task(name: str, package: str, files: tuple[str, ...] = (), answer: bool = False, **extra):
    """Register the decorated function as the check of task `name`."""
    def register(fn: Callable[..., TaskResult]) -> Callable[..., TaskResult]:
        if name in TASKS:
            raise ValueError(f"task {name!r} is registered twice")
        TASKS[name] = Task(name, package, fn, tuple(files), answer, extra)
        return fn
    return register


def _load_all() -> None:
    from . import lessons
    for mod in pkgutil.iter_modules(lessons.__path__):
        importlib.import_module(f"{lessons.__name__}.{mod.name}")


def get(name: str) -> Task:
    _load_all()
    if name not in TASKS:
        raise LeakLabError(f"unknown task {name!r}; known: {', '.join(sorted(TASKS)) or 'none'}")
    return TASKS[name]


def all_tasks() -> list[Task]:
    _load_all()
    return [TASKS[k] for k in sorted(TASKS)]


def check(name: str, answer: Any = None, **kw) -> TaskResult:
    """Run task `name`'s check (a cell task gets the learner's answer)."""
    t = get(name)
    if t.answer:
        return t.check(answer, **kw)
    return t.check(**kw)
