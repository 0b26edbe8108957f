"""Nothing outlives the lab: when the harness process itself is killed (SIGKILL, as the OOM killer
or a forced kernel restart does), the program's whole process group, a grandchild that ignores
SIGTERM included, is gone within a second, and the next run removes the dead harness's temp folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from harness.build import build
from harness.measure import RunOptions, _owner_tag, measure, remove_stale_runs
from harness.supervise import alive

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the lifeline (F_SETSIG) is Linux's; elsewhere the probe's deadline ends the program")

# Starts a grandchild that ignores SIGTERM (an ignored signal stays ignored across exec), writes
# "<grandchild pid>" into $ORPHAN_PIDS/<own pid>, then waits. Flags (-variant, -duration from
# lab.compare) are ignored.
ORPHAN_MAIN = """
package main

import (
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	signal.Ignore(syscall.SIGTERM)
	cmd := exec.Command("sleep", "1000")
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	name := os.Getenv("ORPHAN_PIDS") + "/" + strconv.Itoa(os.Getpid())
	os.WriteFile(name+".tmp", []byte(strconv.Itoa(cmd.Process.Pid)), 0o644)
	os.Rename(name+".tmp", name)
	time.Sleep(time.Hour)
}
"""


def _module(root: Path, name: str, src: str) -> Path:
    d = root / name
    d.mkdir(parents=True)
    (d / "go.mod").write_text(f"module example.com/{name}\n\ngo 1.27\n")
    (d / "main.go").write_text(textwrap.dedent(src).lstrip())
    return d


def _group(pgid: int) -> list[int]:
    """Live (non-zombie) members of a process group."""
    out = []
    for pid in psutil.pids():
        try:
            if os.getpgid(pid) == pgid and alive(pid):
                out.append(pid)
        except OSError:
            pass
    return out


def _wait_for_pids(piddir: Path, n: int, owner: subprocess.Popen | int, timeout: float = 180) -> dict[int, int]:
    """{program pid (= its group): grandchild pid} once n programs have started."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        files = [f for f in piddir.iterdir() if not f.name.endswith(".tmp")]
        if len(files) >= n:
            return {int(f.name): int(f.read_text()) for f in files}
        if isinstance(owner, subprocess.Popen) and owner.poll() is not None:
            pytest.fail(f"the harness ended before the programs started: {owner.stderr.read()}")
        time.sleep(0.05)
    pytest.fail(f"{n} programs did not start in {timeout:g} s")


def _ignores_sigterm(pid: int) -> bool:
    with open(f"/proc/{pid}/status") as f:
        ign = next(int(line.split()[1], 16) for line in f if line.startswith("SigIgn:"))
    return bool(ign & (1 << (signal.SIGTERM - 1)))


def _kill_and_time(owner_pid: int, groups: dict[int, int]) -> float:
    """SIGKILL the harness process; seconds until every group (grandchildren included) is gone."""
    for pgid, grandchild in groups.items():
        assert _group(pgid), "the program is not running"
        assert alive(grandchild) and os.getpgid(grandchild) == pgid
        assert _ignores_sigterm(grandchild), "the grandchild must ignore SIGTERM for this test to mean anything"
    t0 = time.monotonic()
    os.kill(owner_pid, signal.SIGKILL)
    while time.monotonic() - t0 < 5:
        if not any(_group(pgid) for pgid in groups) and not any(alive(g) for g in groups.values()):
            return time.monotonic() - t0
        time.sleep(0.002)
    left = {pgid: _group(pgid) for pgid in groups}
    for pgid in groups:  # do not leave them to the next test
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass
    pytest.fail(f"still alive 5 s after the harness was killed: {left}")


def _next_run_removes(folders: list[Path], go, tmp_path: Path) -> None:
    assert folders and all(f.is_dir() for f in folders), "the killed harness's run folders are there"
    quick = _module(tmp_path, "quick", "package main\n\nfunc main() {}\n")
    r = measure(build(quick, go), options=RunOptions(duration=5))
    assert r.exit == "exited"
    assert not [f for f in folders if f.exists()], "the next run did not remove the dead harness's folders"


def test_sigkilled_harness_takes_its_program_group_along(go, tmp_path):
    prog = _module(tmp_path, "orphan", ORPHAN_MAIN)
    build(prog, go)  # cached: the harness below only looks it up
    piddir = tmp_path / "pids"
    piddir.mkdir()
    harness = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom harness.measure import check\ncheck(sys.argv[1], duration=120)",
         str(prog)],
        cwd=ROOT, env={**os.environ, "ORPHAN_PIDS": str(piddir)}, stderr=subprocess.PIPE, text=True)
    try:
        groups = _wait_for_pids(piddir, 1, harness)
        folders = list(Path(tempfile.gettempdir()).glob(f"leaklab-run-{harness.pid}-*"))
        assert len(folders) == 1, folders
        gone = _kill_and_time(harness.pid, groups)
    finally:
        harness.kill()
        harness.wait()
        harness.stderr.close()
    print(f"\ngroup gone {gone * 1000:.1f} ms after the harness was SIGKILLed")
    assert gone < 1.0
    _next_run_removes(folders, go, tmp_path)


@pytest.mark.notebook
def test_sigkilled_jupyter_kernel_mid_compare_takes_both_groups_along(go, tmp_path):
    from jupyter_client.manager import start_new_kernel

    samples = tmp_path / "samples"
    build(_module(samples, "orphan", ORPHAN_MAIN), go)
    piddir = tmp_path / "pids"
    piddir.mkdir()
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT), startup_timeout=120,
                              env={**os.environ, "LEAKLAB_SAMPLES": str(samples), "ORPHAN_PIDS": str(piddir)})
    try:
        kernel_pid = km.provisioner.pid
        kc.execute("import harness as lab\nlab.compare('orphan', 120, progress=False)")
        groups = _wait_for_pids(piddir, 2, kernel_pid)
        folders = list(Path(tempfile.gettempdir()).glob(f"leaklab-run-{kernel_pid}-*"))
        assert len(folders) == 2, folders
        gone = _kill_and_time(kernel_pid, groups)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(f"\nboth groups gone {gone * 1000:.1f} ms after the kernel was SIGKILLed")
    assert gone < 1.0
    _next_run_removes(folders, go, tmp_path)


def test_stale_run_folders_go_and_live_ones_stay(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    assert not psutil.pid_exists(dead.pid)
    started = int(psutil.Process().create_time())
    mine = tmp_path / f"leaklab-run-{_owner_tag(os.getpid())}-abc"           # this live process
    gone = tmp_path / f"leaklab-run-{dead.pid}-{started}-abc"                   # a dead harness
    reused = tmp_path / f"leaklab-run-{os.getpid()}-{started - 3600}-abc"      # its pid, now someone else's
    unnamed = tmp_path / "leaklab-run-k2j4h1"                                   # before owners were named
    for d in (mine, gone, reused, unnamed):
        d.mkdir()
        (d / "metrics.jsonl").write_text("{}\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    planted = tmp_path / f"leaklab-run-{dead.pid}-{started}-link"               # a symlink is never followed
    planted.symlink_to(outside)
    assert sorted(remove_stale_runs(tmp_path)) == sorted([gone, reused])
    assert mine.is_dir() and unnamed.is_dir() and outside.is_dir() and planted.is_symlink()
    assert not gone.exists() and not reused.exists()


HELPER_SCRIPT = """
import sys, time
from harness.supervise import Helper
# a helper whose child ignores SIGTERM, as `go tool pprof` runs the pprof binary as its child
h = Helper(["sh", "-c", "trap '' TERM; sleep 1000 & echo $! > " + sys.argv[1] + "; wait"])
time.sleep(1000)
"""


def test_helpers_go_with_the_harness_and_with_stop(tmp_path):
    """A helper process (a pprof web server, a trace reader) is gone with its children when the
    harness process is SIGKILLed, and `stop()` takes the children along too (killing the `go`
    command alone left `go tool pprof -http`'s server running)."""
    from harness.supervise import Helper
    pid_file = tmp_path / "child"
    harness = subprocess.Popen([sys.executable, "-c", HELPER_SCRIPT, str(pid_file)], cwd=ROOT)
    try:
        until = time.monotonic() + 30
        while not (pid_file.exists() and pid_file.read_text().strip()) and time.monotonic() < until:
            time.sleep(0.05)
        child = int(pid_file.read_text())
        assert alive(child) and _ignores_sigterm(child)
        harness.kill()
        harness.wait()
        assert _gone_within(child, 1.0), "the helper's child outlived the harness"
    finally:
        harness.kill()
        harness.wait()
    pid_file.unlink()
    h = Helper(["sh", "-c", f"trap '' TERM; sleep 1000 & echo $! > {pid_file}; wait"])
    until = time.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text().strip()) and time.monotonic() < until:
        time.sleep(0.05)
    child = int(pid_file.read_text())
    assert alive(child)
    h.stop()
    assert _gone_within(child, 1.0) and h.proc.returncode is not None


def _gone_within(pid: int, seconds: float) -> bool:
    until = time.monotonic() + seconds
    while alive(pid):  # a zombie waiting for init to reap it is gone
        if time.monotonic() > until:
            return False
        time.sleep(0.01)
    return True
