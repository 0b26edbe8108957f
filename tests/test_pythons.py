"""Set-up works on the oldest and the newest Python the lab supports: a fresh venv from
requirements.txt, `harness setup`, then a smoke run (doctor, one compare, one notebook)."""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

SUPPORTED = ("3.10", "3.13")  # the oldest and the newest; the main venv covers the one between


def _python(version: str) -> str | None:
    """An interpreter of that version: pyenv's (as on this machine kind), else one on PATH."""
    found = sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")))
    return found[-1] if found else shutil.which(f"python{version}")


def _venv(version: str, python: str) -> Path:
    """build/pythons/<version>: made from requirements.txt, reused while the pins are the same."""
    venv = ROOT / "build" / "pythons" / version
    pins = hashlib.sha256((ROOT / "requirements.txt").read_bytes() + (ROOT / "pyproject.toml").read_bytes())
    stamp = venv / ".pins"
    if stamp.exists() and stamp.read_text() == pins.hexdigest():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=300)
    res = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", "requirements.txt"],
                         cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert res.returncode == 0, f"pip install on Python {version}:\n{res.stdout[-3000:]}{res.stderr[-3000:]}"
    stamp.write_text(pins.hexdigest())
    return venv


@pytest.mark.slow
@pytest.mark.parametrize("version", SUPPORTED)
def test_setup_and_a_first_lab_on(version, tmp_path):
    python = _python(version)
    if not python:
        pytest.skip(f"Python {version} is not installed here (e.g. pyenv install {version})")
    venv = _venv(version, python)
    py = str(venv / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "LEAKLAB_GO")}

    def run(*args, timeout=600):
        res = subprocess.run([py, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        assert res.returncode == 0, f"{' '.join(args)} on Python {version}:\n{res.stdout[-3000:]}{res.stderr[-3000:]}"
        return res.stdout

    assert run("-c", "import sys; print(sys.version_info[:2])").strip() == str(tuple(map(int, version.split("."))))
    run("-m", "harness", "setup")
    assert str(venv) in run("-m", "harness", "doctor"), "the harness did not find the venv's own Go"
    out = run("-m", "harness", "compare", "goroutine_channel", "--duration", "1s")
    assert "leaky" in out and "LEAK" in out and "clean" in out, out
    executed = tmp_path / "00.ipynb"
    run("-m", "papermill", "labs/00_start_here.ipynb", str(executed), "-p", "quick", "True", "-k", "python3",
        "--cwd", "labs", "--no-progress-bar")
    import nbformat
    nb = nbformat.read(executed, as_version=4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert nb.metadata["papermill"]["exception"] is None or nb.metadata["papermill"]["exception"] is False
