"""Shared fixtures: real Go programs written into temp modules, and leak checks on the lab itself."""

from __future__ import annotations

import os
import subprocess
import tempfile
import textwrap
from pathlib import Path

import pytest

from harness.toolchain import find_go

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("LEAKLAB_NO_PROGRESS", "1")


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
    tmp = Path(tempfile.gettempdir())
    return {p.name for p in tmp.glob("leaklab-*")}


def processes_running(path_fragment: str) -> list[str]:
    """Command lines of live processes whose executable path contains the fragment."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if path_fragment in exe and state != "Z":
            out.append(f"{pid} {exe}")
    return out


@pytest.fixture
def no_leftovers():
    """Assert a test leaves no temp dir and no process of the harness behind."""
    before = leaklab_temp_dirs()
    yield
    after = leaklab_temp_dirs()
    assert after <= before, f"temp dirs left behind: {sorted(after - before)}"
    from harness.build import cache_dir
    assert not processes_running(str(cache_dir())), "processes of the run are still alive"


def run_cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    import sys
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env={**os.environ, **(env or {})})
