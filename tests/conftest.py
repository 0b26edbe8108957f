"""Shared fixtures: real Go programs written into temp modules, and leak checks on the lab itself."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import textwrap
from pathlib import Path

import pytest

from harness.toolchain import find_go

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("LEAKLAB_NO_PROGRESS", "1")
# A private temp folder for this test session: "no temp dir left behind" is then exact,
# whatever else runs on the machine.
_TMP = tempfile.mkdtemp(prefix="leaklab-tests-")
os.environ["TMPDIR"] = _TMP
tempfile.tempdir = _TMP
atexit.register(shutil.rmtree, _TMP, True)


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
