"""Count calls to functions of an unmodified Go binary with bpftrace uprobes (Linux, root).

Zero code change: the binary is neither rebuilt nor restarted with a probe; the kernel counts
entries into the named functions (e.g. runtime.newproc1, runtime.mallocgc) while it runs.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import LeakLabError

_TICK = re.compile(r"^-- (\d+)$")
_COUNT = re.compile(r"^@\[uprobe:[^\]]*:(?P<func>[^:\]]+)\]: (?P<n>\d+)$")
# bpftrace's own noise on kernels without tracefs mounted (probes still attach through perf).
_NOISE = ("couldn't set RLIMIT_MEMLOCK", "uprobe_events", "failed to detach probe")


class EbpfUnavailable(LeakLabError):
    """bpftrace cannot run or attach here; the message is the one-line reason."""


@dataclass
class UprobeCounts:
    """Calls per function per interval, counted by the kernel while the program ran."""

    binary: str
    args: list[str]
    funcs: list[str]                  # as asked; bpftrace wildcards (runtime.mallocgc*) allowed
    interval_s: float
    series: list[tuple[float, dict[str, int]]]  # (seconds since probes attached, {func: calls})
    totals: dict[str, int]
    wall_s: float
    returncode: int | None
    stdout: str
    stderr: str = ""                  # bpftrace's messages, minus known harmless noise
    script: str = field(default="", repr=False)

    def rates(self, *funcs: str) -> list[tuple[float, float]]:
        """(t, calls per second) summed over the named functions, one point per interval."""
        out, prev = [], 0.0
        for t, counts in self.series:
            dt = t - prev
            if dt > 0:
                out.append((t, sum(counts.get(f, 0) for f in funcs) / dt))
            prev = t
        return out

    def matching(self, prefix: str) -> list[str]:
        """The counted function names that start with prefix (to sum a wildcard's matches)."""
        return sorted(f for f in self.totals if f.startswith(prefix))


def available() -> tuple[bool, str]:
    """Whether bpftrace can run here, and if not, why (one line)."""
    if platform.system() != "Linux":
        return False, f"eBPF needs Linux; this is {platform.system()}"
    bt = shutil.which("bpftrace")
    if not bt:
        return False, "bpftrace is not installed (on Debian/Ubuntu, as root: apt-get install bpftrace)"
    if os.geteuid() != 0:
        return False, f"bpftrace needs root to load eBPF programs; this kernel runs as uid {os.geteuid()}"
    try:
        res = subprocess.run([bt, "-e", 'BEGIN { printf("ok\\n"); exit(); }'], capture_output=True,
                             text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        return False, f"bpftrace did not start: {err}"
    if res.returncode != 0 or "ok" not in res.stdout:
        return False, "bpftrace cannot load a program here: " + _first_error(res.stderr)
    return True, f"bpftrace at {bt}, root, Linux {platform.release()}"


def _first_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip() and not any(n in ln for n in _NOISE)]
    return lines[0] if lines else "no message"


def script(binary: str | Path, funcs: list[str], interval_s: float) -> str:
    """The bpftrace program: one counting uprobe per function, printed every interval."""
    ms = max(1, int(round(interval_s * 1000)))
    probes = "\n".join(f"uprobe:{binary}:{f} {{ @[probe] = count(); }}" for f in funcs)
    dump = 'printf("-- %d\\n", elapsed / 1000000); print(@); clear(@);'
    return f"{probes}\ninterval:ms:{ms} {{ {dump} }}\nEND {{ {dump} }}\n"


def count_uprobes(binary: str | Path, args: list[str] | None = None,
                  funcs: tuple[str, ...] = ("runtime.newproc1", "runtime.goexit1", "runtime.mallocgc"),
                  duration: float = 30.0, interval_s: float = 0.5,
                  env: dict[str, str] | None = None) -> UprobeCounts:
    """Start `binary ARGS` under bpftrace (which attaches the uprobes first), count calls per
    interval, stop when the program exits or after `duration` s. Arguments may not contain spaces."""
    ok, why = available()
    if not ok:
        raise EbpfUnavailable(why)
    binary = str(Path(binary).resolve())
    args = [str(a) for a in args or []]
    if any(" " in a for a in [binary, *args]):
        raise LeakLabError("bpftrace -c splits the command on spaces: use paths and arguments without spaces")
    text = script(binary, list(funcs), interval_s)
    cmd = [shutil.which("bpftrace"), "-e", text, "-c", " ".join([binary, *args])]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=duration + 30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGINT)  # bpftrace prints END and detaches on SIGINT
        try:
            out, err = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    wall = time.monotonic() - t0
    series, totals, program_out = _parse(out, funcs)
    if not series:
        raise EbpfUnavailable("bpftrace attached no probe: " + _first_error(err))
    clean_err = "\n".join(ln for ln in err.splitlines() if ln.strip() and not any(n in ln for n in _NOISE))
    return UprobeCounts(binary, args, list(funcs), interval_s, series, totals, wall, proc.returncode,
                        program_out, clean_err, text)


def _parse(out: str, funcs) -> tuple[list[tuple[float, dict[str, int]]], dict[str, int], str]:
    series: list[tuple[float, dict[str, int]]] = []
    totals = {f: 0 for f in funcs if "*" not in f}  # a wildcard counts under each matched name
    program = []
    for line in out.splitlines():
        m = _TICK.match(line)
        if m:
            series.append((int(m.group(1)) / 1000, {}))
            continue
        m = _COUNT.match(line)
        if m and series:
            n = int(m.group("n"))
            series[-1][1][m.group("func")] = n
            totals[m.group("func")] = totals.get(m.group("func"), 0) + n
        elif line.strip() and not line.startswith("Attaching "):
            program.append(line)  # the traced program's own stdout shares bpftrace's
    return series, totals, "\n".join(program)
