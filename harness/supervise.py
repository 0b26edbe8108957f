"""Run an instrumented binary under supervision: own process group, deadline, RSS cap.

Every path out of `supervise` (normal end, deadline, memory cap, exception, Ctrl-C) kills the
whole process group; the caller owns the output folder. When this Python process itself dies
(SIGKILL, the OOM killer, a forced kernel restart) the kernel kills the group (see `_Lifeline`).

Processes are read through psutil (RSS, liveness, descendants), so the memory cap and the
clean-up hold on macOS too; Linux keeps its fast paths (pidfd wake-ups, wait4, the kernel's
peak RSS). Native Windows has no process groups to stop a program's tree with: `check_platform`.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

import psutil

from .errors import Cancelled, UnsupportedPlatform

try:
    import fcntl
except ImportError:  # Windows: check_platform says what to do instead
    fcntl = None

T = TypeVar("T")

DEFAULT_RSS_CAP = 512 << 20
GRACE_S = 15.0          # time the probe gets to write its end-state profiles
POLL_S = 0.02
HWM_EVERY_S = 0.1       # Linux: how often the kernel's peak RSS is read (see _Memory)
PLATFORM_LINE = ("Go Leak Lab runs programs on Linux or macOS (it stops a program's whole process group "
                 "with signals): on Windows, use WSL2 or the dev container in .devcontainer/")


def check_platform() -> None:
    """Raise UnsupportedPlatform (one line: use WSL2 or the dev container) on native Windows."""
    if sys.platform == "win32" or not hasattr(os, "killpg"):
        raise UnsupportedPlatform(PLATFORM_LINE)


@dataclass
class Outcome:
    """How a supervised process ended."""

    exit: str            # exited | deadline | timeout | memory_cap | crashed | interrupted
    returncode: int | None
    wall_s: float
    peak_rss: int        # bytes
    cpu_s: float
    message: str = ""    # one line for people when the end was not normal


_started: list[int] = []  # every process group this Python process started, for leak accounting
_local = threading.local()  # .cancel: the Event of the `together` group this thread runs in


def together(calls: list[Callable[[], T]], at_once: int | None = None) -> list[T]:
    """Run several measurements at once, each in a thread waiting on its own program.

    The programs mostly wait (for their deadline, between requests), so a leaky/fixed pair run
    side by side takes the time of one. If one call raises, or the caller is interrupted
    (Ctrl-C, the notebook's stop button), every other run is stopped: its process group killed
    and its temp folder removed, before the exception goes on. `at_once` bounds how many run
    at the same time (default: all).
    """
    calls = list(calls)
    if len(calls) <= 1 or at_once == 1:
        return [c() for c in calls]
    cancel = threading.Event()

    def in_group(call):
        if cancel.is_set():
            raise Cancelled("not started: a run of the same group failed or was interrupted")
        _local.cancel = cancel
        try:
            return call()
        finally:
            _local.cancel = None

    pool = ThreadPoolExecutor(max_workers=min(len(calls), at_once or len(calls)), thread_name_prefix="leaklab-run")
    futures = [pool.submit(in_group, c) for c in calls]
    try:
        while True:
            done, pending = wait(futures, timeout=0.2, return_when=FIRST_EXCEPTION)
            if not pending or any(f.exception() for f in done):
                break
        failed = [f for f in futures if f.done() and f.exception()]
        if failed:
            raise failed[0].exception()
        return [f.result() for f in futures]
    except BaseException:
        cancel.set()
        raise
    finally:
        pool.shutdown(wait=True)  # the others end within one poll once cancelled


def alive(pid: int) -> bool:
    """True if pid is a live (non-zombie) process."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:  # ZombieProcess included
        return False
    except psutil.AccessDenied:  # macOS, another user's process: it exists
        return True


def started_alive() -> list[int]:
    """Processes (or members of their groups) started by the harness here that are still alive."""
    groups = set(_started)
    out = []
    for pid in psutil.pids():
        try:
            if os.getpgid(pid) in groups and alive(pid):
                out.append(pid)
        except OSError:
            continue
    return out


class _Memory:
    """The program's resident memory: `read()` -> (current RSS, peak RSS seen) in bytes.

    RSS comes from psutil on every platform, so the cap is the same code on Linux and macOS.
    psutil has no peak; on Linux the kernel keeps one (VmHWM, since exec), read every
    HWM_EVERY_S (it is sticky, so a spike between two polls still counts), and once more
    before a kill. Elsewhere the peak is the highest RSS the polls saw."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.hwm_at = pid, 0, 0.0
        try:
            self.proc: psutil.Process | None = psutil.Process(pid)
        except psutil.Error:  # already gone
            self.proc = None
        self.linux = sys.platform.startswith("linux")

    def read(self) -> tuple[int, int]:
        rss = 0
        if self.proc is not None:
            try:
                rss = self.proc.memory_info().rss
            except psutil.Error:
                pass
        self.peak = max(self.peak, rss)
        if self.linux and time.monotonic() - self.hwm_at >= HWM_EVERY_S:
            self.kernel_peak()
        return rss, self.peak

    def kernel_peak(self) -> None:
        if not self.linux:
            return
        self.hwm_at = time.monotonic()
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        self.peak = max(self.peak, int(line.split()[1]) * 1024)
                        break
        except (OSError, IndexError, ValueError):
            pass


def _kill_group(pgid: int, leader: int | None = None) -> None:
    """SIGKILL the process group; with `leader` (a child of ours not yet reaped, so its pid
    cannot have been reused) also every descendant psutil finds under it, those that left the
    group (setsid) included. Once the leader has ended its children belong to init and only the
    group is reachable."""
    tree = []
    if leader is not None:
        try:
            tree = psutil.Process(leader).children(recursive=True)
        except psutil.Error:
            pass
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for p in tree:
        try:
            p.kill()  # psutil checks the process is still the one it listed (no pid reuse)
        except psutil.Error:
            pass


class _Lifeline:
    """Kills the program's process group when this Python process dies, however it dies.

    A pipe: the program inherits the read end (its children inherit it too, Go's os/exec keeps
    inherited fds), only this process holds the write end. The read end is put in async mode
    (O_ASYNC) with the program's process group as owner (F_SETOWN -pgid) and SIGKILL as the
    signal (F_SETSIG). When the last write end closes, which the kernel does itself when this
    process ends (SIGKILL, the OOM killer, a kernel restart), the kernel sends SIGKILL to every
    member of the group at once: grandchildren included, SIGTERM ignored or not, the program
    stopped (SIGSTOP) or wedged, with or without the probe. The harness never writes to the pipe
    (a write would fire it too).

    Why not the probe: a goroutine reading the pipe would be one more goroutine to leave out of
    every count and dump, and a SIGSTOPped or wedged program would not run it; here no code of the
    program runs at all. PR_SET_CHILD_SUBREAPER does not help when the harness itself is gone
    (and would leave every orphaned grandchild of a Jupyter kernel to it), and a cgroup needs
    delegation a learner's machine rarely has. Not covered: a descendant that left the group
    (setsid); the window of microseconds between exec and arm().

    F_SETSIG is Linux-only; elsewhere (macOS) there is no lifeline and, if the harness dies, the
    probe's deadline still ends the program itself."""

    def __init__(self):
        self.r = self.w = -1
        if fcntl is not None and hasattr(fcntl, "F_SETSIG"):
            self.r, self.w = os.pipe()  # close-on-exec: no other child of ours keeps an end

    @property
    def pass_fds(self) -> tuple[int, ...]:
        return (self.r,) if self.r >= 0 else ()

    def arm(self, pgid: int) -> bool:
        """Point the program's end at its group; drop ours (the program holds it now)."""
        if self.r < 0:
            return False
        try:
            fcntl.fcntl(self.r, fcntl.F_SETSIG, signal.SIGKILL)
            fcntl.fcntl(self.r, fcntl.F_SETOWN, -pgid)
            fcntl.fcntl(self.r, fcntl.F_SETFL, fcntl.fcntl(self.r, fcntl.F_GETFL) | os.O_ASYNC)
            return True
        except OSError:  # e.g. the group is already gone: nothing left to guard
            return False
        finally:
            os.close(self.r)
            self.r = -1

    def close(self) -> None:
        """After the group was killed: closing the write end fires once more, at nothing alive."""
        for fd in (self.r, self.w):
            if fd >= 0:
                os.close(fd)
        self.r = self.w = -1


class Helper:
    """A child process in a process group of its own, tied to this Python process by the
    lifeline (gone with it however it dies). `supervise` starts the measured program so; helpers
    beside a run (a `go tool pprof -http` server, a `go tool trace` reading a file) are started so
    and killed whole by `stop()`, the children the `go` command starts for its tools included
    (killing `go` alone leaves them running).

        helper = Helper([go, "tool", "pprof", "-http=127.0.0.1:0", ...], stdout=log)
        try: ...
        finally: helper.stop()
    """

    def __init__(self, argv: list[str], **popen_kw):
        self.lifeline = _Lifeline()
        try:
            self.proc = subprocess.Popen(argv, start_new_session=True, close_fds=True,
                                         pass_fds=self.lifeline.pass_fds, **popen_kw)
        except BaseException:
            self.lifeline.close()
            raise
        self.lifeline.arm(self.proc.pid)

    def stop(self) -> None:
        """Kill the group and the helper's descendants while the helper is not reaped (its pid
        and group id are still its own); then close the lifeline, which kills whatever of the group
        is left (every member holds its read end) and nothing once the group is gone."""
        if self.proc.poll() is None:
            _kill_group(self.proc.pid, self.proc.pid)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.lifeline.close()


def supervise(argv: list[str], outdir: Path, env: dict[str, str], deadline_s: float,
              rss_cap: int = DEFAULT_RSS_CAP, on_sample=None, grace_s: float = GRACE_S) -> Outcome:
    """Run argv with stdout/stderr in outdir; the probe stops it at deadline_s.

    If the probe does not (a hang), the group is killed at deadline_s + grace_s.
    `on_sample(elapsed_s)` is called about every 0.1 s (progress bars, scheduled fetches).
    """
    if rss_cap <= 0:
        raise ValueError("rss_cap must be positive")
    check_platform()
    start = time.monotonic()
    hard_stop = start + deadline_s + grace_s
    with open(outdir / "stdout", "wb") as out, open(outdir / "stderr", "wb") as err:
        # its own process group, tied to this process by the lifeline (see Helper)
        started = Helper(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=outdir)
    proc, lifeline = started.proc, started.lifeline
    pgid = proc.pid
    _started.append(pgid)
    status, usage, how, last_cb, ended, pidfd = None, None, None, 0.0, None, None
    memory = _Memory(proc.pid)
    cancel = getattr(_local, "cancel", None)
    try:
        try:  # readable the moment the process ends: the poll below wakes then, not up to POLL_S later
            pidfd = os.pidfd_open(proc.pid)
        except (AttributeError, OSError):  # not Linux 5.3+ or Python 3.9+: plain polling
            pidfd = None
        while True:
            if cancel is not None and cancel.is_set():
                raise Cancelled("stopped: a run started together with it failed or was interrupted")
            pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                status, usage, ended = st, ru, time.monotonic()
                break
            rss, _ = memory.read()
            if rss > rss_cap:
                how = "memory_cap"
                break
            now = time.monotonic()
            if now > hard_stop:
                how = "timeout"
                break
            if on_sample and now - last_cb >= 0.1:
                last_cb = now
                on_sample(now - start)
            if pidfd is None:
                time.sleep(POLL_S)
            else:
                select.select([pidfd], [], [], POLL_S)
    except BaseException:
        _kill_group(pgid, proc.pid if status is None else None)  # not reaped: its pid is still its own
        _reap(proc)
        raise
    finally:
        if status is None:
            memory.kernel_peak()
        # The program's own children too, on every path; its descendants that left the group
        # as well while the program is not reaped (the leader's pid is then still its own).
        _kill_group(pgid, proc.pid if status is None and proc.returncode is None else None)
        lifeline.close()
        if pidfd is not None:
            os.close(pidfd)
    peak = memory.peak
    if status is None:
        status, usage = _reap(proc)
    proc.returncode = os.waitstatus_to_exitcode(status) if status is not None else None
    wall = (ended or time.monotonic()) - start
    cpu = (usage.ru_utime + usage.ru_stime) if usage else 0.0
    # (ru_maxrss is not used: it keeps the forking Python's own peak across exec.)
    rc = proc.returncode
    if how == "memory_cap":
        return Outcome("memory_cap", rc, wall, peak, cpu,
                       f"killed: resident memory passed the cap of {rss_cap >> 20} MiB")
    if how == "timeout":
        return Outcome("timeout", rc, wall, peak, cpu,
                       f"killed: still running {grace_s:g} s after the {deadline_s:g} s deadline "
                       "(the probe could not stop it)")
    return Outcome("exited" if rc == 0 else "crashed", rc, wall, peak, cpu)


def _reap(proc: subprocess.Popen):
    try:
        _, st, ru = os.wait4(proc.pid, 0)
    except ChildProcessError:
        return None, None
    proc.returncode = os.waitstatus_to_exitcode(st)
    return st, ru
