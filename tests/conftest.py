"""Shared fixtures: real Go programs written into temp modules, and leak checks on the lab itself."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import textwrap
from pathlib import Path

import pytest

from harness.toolchain import find_go

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("LEAKLAB_NO_PROGRESS", "1")
# A shell without job control starts background commands with SIGINT ignored, and Python then
# leaves it ignored: the tests of Ctrl-C (in this process and in the programs and kernels it
# starts, which inherit it) need Python's own handler, as in a terminal.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
# A private temp folder for this test session: "no temp dir left behind" is then exact,
# whatever else runs on the machine.
_TMP = tempfile.mkdtemp(prefix="leaklab-tests-")
os.environ["TMPDIR"] = _TMP
tempfile.tempdir = _TMP
atexit.register(shutil.rmtree, _TMP, True)


def _learner_files(src: Path) -> list[tuple[Path, Path]]:
    """(file a learner edits, its pristine copy) for every exercise, task and the capstone: the
    pristine copy of `d/X` is `d/testdata/X`, the capstone's files have theirs in testdata/pristine/."""
    pairs = []
    for pristine in src.rglob("testdata/*"):
        if pristine.is_file() and not pristine.name.startswith("solution") and pristine.suffix == ".go":
            mine = pristine.parent.parent / pristine.name
            if mine.exists():
                pairs.append((mine, pristine))
    for pristine in (src / "capstone" / "testdata" / "pristine").rglob("*"):
        if pristine.is_file():
            pairs.append((src / "capstone" / pristine.relative_to(src / "capstone" / "testdata" / "pristine"), pristine))
    return pairs


def _pristine_samples() -> Path | None:
    """The suite tests the lab as shipped, not a learner's work in progress: when a file a learner
    edits (an exercise, a task, the capstone) differs from its pristine copy, or the editor left
    checkpoint folders, the suite runs on a copy of go_samples with every such file as it started
    (build/test-samples: a fixed path, so its Go build cache stays warm between runs). Returns the
    copy, or None when go_samples is pristine."""
    src = ROOT / "go_samples"
    edited = [(mine.relative_to(src), pristine.relative_to(src)) for mine, pristine in _learner_files(src)
              if not mine.exists() or mine.read_bytes() != pristine.read_bytes()]
    dotted = [p for p in src.rglob(".*") if p.is_dir()]
    if not edited and not dotted:
        return None
    dst = ROOT / "build" / "test-samples" / "go_samples"
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".*"))
    for mine, pristine in edited:
        shutil.copyfile(dst / pristine, dst / mine)
    return dst


if "LEAKLAB_SAMPLES" not in os.environ and (_copy := _pristine_samples()) is not None:
    os.environ["LEAKLAB_SAMPLES"] = str(_copy)


def pytest_report_header(config):
    if os.environ.get("LEAKLAB_SAMPLES"):
        return f"go_samples: {os.environ['LEAKLAB_SAMPLES']} (your own exercise files are left as they are)"


@pytest.fixture(scope="session")
def go():
    return find_go()


@pytest.fixture
def gomod(tmp_path):
    """Write a Go module: gomod({"main.go": src, ...}) -> its folder."""
    def make(files: dict[str, str], name: str = "example.com/prog") -> Path:
        d = tmp_path / "prog"
        d.mkdir(exist_ok=True)
        (d / "go.mod").write_text(f"module {name}\n\ngo 1.27\n")
        for rel, src in files.items():
            p = d / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(textwrap.dedent(src).lstrip())
        return d
    return make


def leaklab_temp_dirs() -> set[str]:
    """The harness's temp folders in this session's private temp dir."""
    return {p.name for p in Path(_TMP).glob("leaklab-*")}


@pytest.fixture
def no_leftovers():
    """Assert a test leaves no temp dir and no process of the harness behind."""
    from harness.supervise import started_alive
    before = leaklab_temp_dirs()
    yield
    after = leaklab_temp_dirs()
    assert after <= before, f"temp dirs left behind: {sorted(after - before)}"
    assert not started_alive(), "processes started by the run are still alive"


def run_cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    import sys
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env={**os.environ, **(env or {})})


def first_fast(values: list, fast=None) -> list:
    """Parameters of a test that runs real Go programs for each scenario or task: one (`fast`,
    else the first) in every tier, the others marked `slow` (`make test` runs them all)."""
    fast = values[0] if fast is None and values else fast
    if values and fast not in values:
        raise ValueError(f"{fast!r} is not among {values}: name another to run in every tier")
    return [pytest.param(v, marks=() if v == fast else pytest.mark.slow) for v in values]


# The tiers (CONTRIBUTING.md): `make test-fast` is -m "not notebook and not slow". A test using a
# fixture that executes every lab (tests/test_notebooks.py) is a notebook test like the labs
# themselves; the labs' helper modules (tests/test_lessons_*.py) run their lab's programs for real,
# a few seconds a test: slow.
_NOTEBOOK_FIXTURES = {"executed", "site"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _NOTEBOOK_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.notebook)
        if item.path.name.startswith("test_lessons_"):
            item.add_marker(pytest.mark.slow)
