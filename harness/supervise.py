"""Run an instrumented binary under supervision: own process group, deadline, RSS cap.

Every path out of `supervise` (normal end, deadline, memory cap, exception, Ctrl-C) kills the
whole process group; the caller owns the output folder.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

from .errors import Cancelled

T = TypeVar("T")

DEFAULT_RSS_CAP = 512 << 20
GRACE_S = 15.0          # time the probe gets to write its end-state profiles
POLL_S = 0.02


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
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def started_alive() -> list[int]:
    """Processes (or members of their groups) started by the harness here that are still alive."""
    groups = set(_started)
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.getpgid(int(entry)) in groups and alive(int(entry)):
                out.append(int(entry))
        except OSError:
            continue
    return out


def _rss(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS since exec) in bytes, from /proc."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return rss, hwm


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def supervise(argv: list[str], outdir: Path, env: dict[str, str], deadline_s: float,
              rss_cap: int = DEFAULT_RSS_CAP, on_sample=None, grace_s: float = GRACE_S) -> Outcome:
    """Run argv with stdout/stderr in outdir; the probe stops it at deadline_s.

    If the probe does not (a hang), the group is killed at deadline_s + grace_s.
    `on_sample(elapsed_s)` is called about every 0.1 s (progress bars, scheduled fetches).
    """
    if rss_cap <= 0:
        raise ValueError("rss_cap must be positive")
    start = time.monotonic()
    hard_stop = start + deadline_s + grace_s
    with open(outdir / "stdout", "wb") as out, open(outdir / "stderr", "wb") as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                env=env, cwd=outdir, start_new_session=True, close_fds=True)
    pgid = proc.pid
    _started.append(pgid)
    try:  # readable the moment the process ends: the poll below wakes then, not up to POLL_S later
        pidfd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):  # not Linux 5.3+ or Python 3.9+: plain polling
        pidfd = None
    peak, status, usage, how, last_cb, ended = 0, None, None, None, 0.0, None
    cancel = getattr(_local, "cancel", None)
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise Cancelled("stopped: a run started together with it failed or was interrupted")
            pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                status, usage, ended = st, ru, time.monotonic()
                break
            rss, hwm = _rss(proc.pid)
            peak = max(peak, rss, hwm)
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
        _kill_group(pgid)
        _reap(proc)
        raise
    finally:
        _kill_group(pgid)  # the program's own children too, on every path
        if pidfd is not None:
            os.close(pidfd)
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
