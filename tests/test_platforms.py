"""Learners' laptops: the supervisor reads processes through psutil, so macOS gets the same memory
cap, liveness and clean-up as Linux; native Windows is told in one line to use WSL2 or the dev
container. Only Linux runs here: the other platforms' branches are taken by pretending
(sys.platform, Linux-only calls removed) while psutil reads the real processes."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time

import psutil
import pytest

from conftest import leaklab_temp_dirs
from harness import cli, supervise
from harness.build import build
from harness.errors import LeakLabError, UnsupportedPlatform
from harness.measure import RunOptions, measure
from harness.supervise import _started, alive, started_alive

HOG = """
    package main

    import "time"

    var keep [][]byte

    func main() {
        for {
            b := make([]byte, 8<<20)
            for i := range b { b[i] = 1 }
            keep = append(keep, b)
            time.Sleep(5 * time.Millisecond)
        }
    }
"""


@pytest.fixture
def macos(monkeypatch):
    """The macOS branches: no /proc reads, no pidfd, no F_SETSIG (so no lifeline)."""
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.delattr(os, "pidfd_open", raising=False)
    monkeypatch.delattr(fcntl, "F_SETSIG", raising=False)
    opened = []

    def spy_open(path, *a, **kw):
        opened.append(str(path))
        return open(path, *a, **kw)
    monkeypatch.setattr(supervise, "open", spy_open, raising=False)
    return opened


@pytest.mark.parametrize("how", ["win32", "no_killpg"])
def test_native_windows_is_refused_at_the_start_of_a_run(gomod, go, monkeypatch, how, no_leftovers):
    binary = build(gomod({"main.go": "package main\n\nfunc main() {}\n"}), go)
    if how == "win32":
        monkeypatch.setattr(sys, "platform", "win32")
    else:
        monkeypatch.delattr(os, "killpg")
    started = len(_started)
    with pytest.raises(UnsupportedPlatform) as err:
        measure(binary, options=RunOptions(duration=1))
    assert isinstance(err.value, LeakLabError)
    line = str(err.value)
    assert "\n" not in line and "WSL2" in line and ".devcontainer" in line and "Linux or macOS" in line
    assert len(_started) == started, "no program was started"


def test_doctor_on_windows_says_one_line(monkeypatch, capsys):
    monkeypatch.setattr(sys, "platform", "win32")
    assert cli.main(["doctor"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and "WSL2" in err and ".devcontainer/" in err


def test_doctor_on_linux_names_go(capsys):
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "✓ Go 1.27" in out and "✗" not in out, out


def test_memory_cap_holds_through_psutil_on_the_macos_branch(gomod, go, macos, monkeypatch, no_leftovers):
    calls = []
    real = psutil.Process.memory_info

    def spy(self):
        calls.append(self.pid)
        return real(self)
    monkeypatch.setattr(psutil.Process, "memory_info", spy)
    lifelines = []
    real_arm = supervise._Lifeline.arm
    monkeypatch.setattr(supervise._Lifeline, "arm", lambda self, pgid: lifelines.append(self.r) or real_arm(self, pgid))
    r = measure(build(gomod({"main.go": HOG}), go), options=RunOptions(duration=30, rss_cap=96 << 20))
    assert r.exit == "memory_cap" and "96 MiB" in r.message
    assert r.peak_rss > 96 << 20, "the peak is the highest RSS psutil saw"
    assert calls, "RSS was read through psutil"
    assert not [p for p in macos if p.startswith("/proc")], f"read /proc on the macOS branch: {macos[:3]}"
    assert lifelines == [-1], "no lifeline where F_SETSIG does not exist"


def test_memory_cap_on_linux_reads_rss_through_psutil_and_the_kernels_peak(gomod, go, monkeypatch, no_leftovers):
    calls = []
    real = psutil.Process.memory_info
    monkeypatch.setattr(psutil.Process, "memory_info", lambda self: calls.append(self.pid) or real(self))
    r = measure(build(gomod({"main.go": HOG}), go), options=RunOptions(duration=30, rss_cap=96 << 20))
    assert r.exit == "memory_cap" and calls
    assert r.peak_rss > 96 << 20


def test_liveness_through_psutil(monkeypatch):
    child = subprocess.Popen(["sleep", "30"])
    try:
        assert alive(child.pid)
        child.kill()
        for _ in range(200):  # killed, not yet reaped: a zombie is not alive
            if psutil.Process(child.pid).status() == psutil.STATUS_ZOMBIE:
                break
            time.sleep(0.01)
        assert psutil.pid_exists(child.pid) and not alive(child.pid)
    finally:
        child.wait()
    assert not alive(child.pid)

    def denied(self):  # macOS answers so for another user's process: it exists
        raise psutil.AccessDenied(self.pid)
    monkeypatch.setattr(psutil.Process, "status", denied)
    assert alive(os.getpid())


def test_started_alive_finds_the_running_group_through_psutil(gomod, go, macos, no_leftovers):
    d = gomod({"main.go": """
        package main

        import (
            "os/exec"
            "time"
        )

        func main() {
            exec.Command("sleep", "300").Start()
            time.Sleep(time.Hour)
        }
    """})
    seen = []
    r = measure(build(d, go), options=RunOptions(duration=0.6, progress=lambda t, s: seen.append(started_alive()) if t > 0.3 else None))
    assert r.exit == "deadline"
    assert any(len(s) == 2 for s in seen), f"the program and its child, seen while running: {seen}"
    for _ in range(100):  # SIGKILL was sent; the child ends a moment later
        if not started_alive():
            break
        time.sleep(0.01)
    assert not started_alive()


def test_descendants_that_left_the_group_are_killed_with_it(gomod, go, tmp_path, no_leftovers):
    """A child in its own session is out of the group's reach: psutil finds it under the program
    (stopped, so the harness's hard deadline ends the run while the program is still its child)."""
    d = gomod({"main.go": """
        package main

        import (
            "os"
            "os/exec"
            "strconv"
            "syscall"
        )

        func main() {
            cmd := exec.Command("sleep", "300")
            cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
            if err := cmd.Start(); err != nil { panic(err) }
            os.WriteFile(os.Getenv("CHILD_PID_FILE"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644)
            syscall.Kill(os.Getpid(), syscall.SIGSTOP)
        }
    """})
    pid_file = tmp_path / "child"
    groups = {}

    def look(elapsed, sample):
        if pid_file.exists() and pid_file.read_text():
            child = int(pid_file.read_text())
            groups[child] = os.getpgid(child)
    r = measure(build(d, go), options=RunOptions(duration=0.3, grace_s=0.7, env={"CHILD_PID_FILE": str(pid_file)}, progress=look))
    assert r.exit == "timeout"
    (child, pgid), = groups.items()
    assert pgid == child, "the child had left the program's group"
    for _ in range(100):
        if not alive(child):
            break
        time.sleep(0.01)
    else:
        os.kill(child, 9)
        pytest.fail("a descendant outside the program's group outlived the run")
