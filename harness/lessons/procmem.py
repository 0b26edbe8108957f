"""Lab 23 (process memory, limits and the OOM kill): the resident memory of a run read from
outside as the kernel counts it, next to what the Go runtime reports; GC work as the live heap nears
a memory limit; the last samples of a program killed at a cap; a run inside a memory cgroup (v2
`memory.max`, or v1 `memory.limit_in_bytes`) and what the kernel's OOM killer recorded; how fast
the scavenger gives memory back after a burst."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import stat
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from ..build import build
from ..errors import LeakLabError
from ..measure import Run, measure
from ..plot import color_for
from ..samples import sample_argv, sample_options, scenario_dir
from ..toolchain import go_for
from ..notebook import show_figure as _figure, show_markdown as _md

MiB = 1 << 20
SCENARIO = "process_memory"


def mib(n: float) -> str:
    return f"{n / MiB:,.1f} MiB"


# --- resident memory, read from outside --------------------------------------------------------

class RssWatch:
    """Reads the resident set size (RSS) of every program the harness starts from this process,
    every `every_s`, from outside, as `ps`, a kubelet or the OOM killer see it:

        with procmem.RssWatch() as rss:
            runs = lab.compare(...)
        rss.series(runs[0])    # [(seconds since the program started, bytes), ...]

    A program is told apart by its arguments (`Run.args`), which every run of a lab has its own."""

    def __init__(self, every_s: float = 0.05):
        self.every_s = every_s
        self.procs: dict[int, dict] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "RssWatch":
        self._thread = threading.Thread(target=self._loop, name="leaklab-rss", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=2)

    def _loop(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            self.poll(me)
            self._stop.wait(self.every_s)

    def poll(self, me: psutil.Process | None = None) -> None:
        try:
            children = (me or psutil.Process()).children(recursive=True)
        except psutil.Error:
            return
        for p in children:
            try:
                with p.oneshot():
                    cmd, rss, born = p.cmdline(), p.memory_info().rss, p.create_time()
            except psutil.Error:
                continue
            if "-variant" not in cmd:
                continue
            age = _age(p.pid)
            rec = self.procs.setdefault(p.pid, {"born": born, "cmd": cmd, "rss": []})
            rec["cmd"] = cmd  # a wrapper that execs the program keeps its pid, not its command line
            rec["rss"].append((age if age is not None else time.time() - rec["born"], rss))

    def series(self, run: Run) -> list[tuple[float, int]]:
        """(t, RSS bytes) of the program that ran with `run.args`; [] if it was never seen."""
        n = len(run.args)
        for rec in self.procs.values():
            if n and rec["cmd"][-n:] == run.args:
                return rec["rss"]
        return []


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _age(pid: int) -> float | None:
    """Seconds since the process started, to the kernel's clock tick (Linux: /proc/uptime minus
    the start time in /proc/PID/stat; psutil's create_time adds the boot time, which is kept in
    whole seconds, and can be up to a second off)."""
    try:
        up = float(Path("/proc/uptime").read_text().split()[0])
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return up - int(fields[19]) / _TICKS
    except (OSError, ValueError, IndexError):
        return None


def rss_at(series: list[tuple[float, int]], t: float) -> int:
    """The RSS read nearest before time t (the first one if t is earlier)."""
    best = series[0][1] if series else 0
    for ts, v in series:
        if ts > t:
            break
        best = v
    return best


# --- GC work over time ---------------------------------------------------------------------------

def gc_rows(run: Run, window: int = 4) -> list[dict]:
    """Per window of `window` samples: its end time, the share of the CPU time available to the
    program (GOMAXPROCS × wall time, runtime/metrics' /cpu/classes/total) that the GC used, and GC
    cycles per second. /cpu/classes values are estimates the runtime updates as collections end."""
    s = run.samples
    rows = []
    for a, b in zip(s[::window], s[window::window]):
        cpu, gc, dt = b["cpu_s"] - a["cpu_s"], b["gc_cpu_s"] - a["gc_cpu_s"], b["t"] - a["t"]
        rows.append({"t": b["t"], "gc_pct": 100 * gc / cpu if cpu > 0 else 0.0,
                     "gcs_per_s": (b["gc_cycles"] - a["gc_cycles"]) / dt if dt > 0 else 0.0})
    return rows


# --- figures ---------------------------------------------------------------------------------------

def memory_figure(runs: list[Run], watch: RssWatch, lines: dict[str, float] | None = None,
                  gc: bool = False, title: str | None = None, width: float = 5.6):
    """One column per run: RSS (read from outside), everything the Go runtime mapped
    (/memory/classes/total), the heap goal and the live heap over time; `lines` adds labelled
    horizontal lines (a memory limit, a cap); `gc=True` adds a row with GC CPU and GCs per second."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    rows = 2 if gc else 1
    fig, axes = plt.subplots(rows, len(runs), figsize=(width * len(runs), 3.3 * rows), squeeze=False,
                             sharex="col", layout="constrained")
    top = 0.0
    for i, r in enumerate(runs):
        ax = axes[0][i]
        t = [s["t"] for s in r.samples]
        rss = watch.series(r)
        series = [("RSS (kernel, read from outside)", [x for x, _ in rss], [v / MiB for _, v in rss], "-", 2.2),
                  ("runtime total (/memory/classes/total, released pages included)", t, [s["total_bytes"] / MiB for s in r.samples], "--", 1.4),
                  ("heap goal", t, [s["heap_goal"] / MiB for s in r.samples], ":", 1.4),
                  ("live heap", t, [s["heap_live"] / MiB for s in r.samples], "-", 1.0)]
        c = color_for(r.label, i)
        for (label, xs, ys, ls, lw), alpha in zip(series, (1.0, 0.8, 0.8, 0.5)):
            ax.plot(xs, ys, ls=ls, lw=lw, color=c if label.startswith("RSS") else "#34495e", alpha=alpha, label=label)
            top = max(top, max(ys, default=0))
        for j, (label, y) in enumerate((lines or {}).items()):
            ax.axhline(y / MiB, color=["#7d3c98", "#b7950b"][j % 2], lw=1, ls="-.", label=label)
            top = max(top, y / MiB)
        ax.set_title(r.label, loc="left", fontweight="bold", color=c)
        end = {"memory_cap": "KILLED (cap)", "crashed": "KILLED"}.get(r.exit, "")
        if end:
            ax.set_title(end, loc="right", fontweight="bold", color="#c0392b")
        ax.set_ylabel("MiB")
        ax.grid(alpha=0.3)
        if gc:
            g = gc_rows(r)
            ax2 = axes[1][i]
            ax2.plot([x["t"] for x in g], [x["gc_pct"] for x in g], color="#c0392b", lw=1.6, label="GC CPU, % of available")
            ax2.set_ylabel("GC CPU %")
            ax2.set_ylim(0, 100)
            ax2.grid(alpha=0.3)
            ax3 = ax2.twinx()
            ax3.plot([x["t"] for x in g], [x["gcs_per_s"] for x in g], color="#2471a3", lw=1, ls="--", label="GC cycles per second")
            ax3.set_ylabel("GCs per second")
            ax3.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax3.set_ylim(bottom=0)
            h1, l1 = ax2.get_legend_handles_labels()
            h2, l2 = ax3.get_legend_handles_labels()
            ax2.legend(h1 + h2, l1 + l2, loc="upper left", fontsize=8, framealpha=0.9)
        axes[-1][i].set_xlabel("seconds since the program started")
    for ax in axes[0]:
        ax.set_ylim(0, top * 1.32 + 1)  # headroom: the legend sits above the curves
    axes[0][0].legend(loc="upper left", fontsize=7.5, ncols=2, framealpha=0.9)
    if title:
        fig.suptitle(title, fontweight="bold")
    return fig


def show_memory(runs: list[Run], watch: RssWatch, **kw) -> None:
    _figure(memory_figure(runs, watch, **kw))


# --- numbers ---------------------------------------------------------------------------------------

def at_end(run: Run, watch: RssWatch) -> dict:
    """The last periodic sample of a run (before the end-of-run GC) and the RSS read nearest it."""
    periodic = [s for s in run.samples if not s.get("final")] or run.samples
    s = periodic[-1]
    rss = rss_at(watch.series(run), s["t"])
    return {"t": s["t"], "rss": rss, "total": s["total_bytes"], "goal": s["heap_goal"], "live": s["heap_live"],
            "rss_per_live": rss / s["heap_live"] if s["heap_live"] else float("nan")}


def served(run: Run) -> int | None:
    m = re.search(r"served (\d+) requests", run.stdout_tail)
    return int(m[1]) if m else None


def limit_seen(run: Run) -> int | None:
    """The memory limit the program read with debug.SetMemoryLimit(-1) at start (it prints it)."""
    m = re.search(r"memory limit (\d+) bytes", run.stdout_tail)
    return int(m[1]) if m else None


def last_samples(run: Run, watch: RssWatch, n: int = 6, window: float = 0.25) -> str:
    """Markdown: the last n periodic samples the program wrote before it ended (or was killed),
    with the GC's share of CPU over the `window` seconds before each (the runtime updates its CPU
    estimates as collections end: over a single 50 ms interval they jump), the collections since
    the sample before, and the RSS read from outside."""
    s = [x for x in run.samples if not x.get("final")]
    rss = watch.series(run)
    rows = [f"| t (s) | live heap | heap goal | runtime total | RSS | GC CPU, last {window:g} s | GCs since the sample before |",
            "|---:|---:|---:|---:|---:|---:|---:|"]
    for i in range(max(1, len(s) - n), len(s)):
        b, prev = s[i], s[i - 1]
        a = next((x for x in reversed(s[:i]) if x["t"] <= b["t"] - window), s[0])
        cpu, gc = b["cpu_s"] - a["cpu_s"], b["gc_cpu_s"] - a["gc_cpu_s"]
        rows.append(f"| {b['t']:.2f} | {mib(b['heap_live'])} | {mib(b['heap_goal'])} | {mib(b['total_bytes'])} | "
                    f"{mib(rss_at(rss, b['t']))} | {100 * gc / cpu if cpu > 0 else 0:.0f} % | "
                    f"+{b['gc_cycles'] - prev['gc_cycles']} |")
    return "\n".join(rows)


def spiral(run: Run, limit: int) -> dict:
    """When the live heap first reached the limit, and the GC's share of CPU and rate of cycles
    before that moment and after it."""
    rows = gc_rows(run)
    crossed = next((s["t"] for s in run.samples if s["heap_live"] >= limit), float("nan"))
    before = [r for r in rows if not r["t"] >= crossed]  # all of them when it never crossed (nan)
    after = [r for r in rows if r["t"] >= crossed]
    mean = lambda xs, k: sum(x[k] for x in xs) / len(xs) if xs else float("nan")  # noqa: E731
    return {"crossed_at": crossed, "gc_pct_before": mean(before, "gc_pct"), "gc_pct_after": mean(after, "gc_pct"),
            "gc_pct_max": max((r["gc_pct"] for r in rows), default=0.0),
            "gcs_before": mean(before, "gcs_per_s"), "gcs_after": mean(after, "gcs_per_s"),
            "live_max": max(s["heap_live"] for s in run.samples)}


# --- a real memory cgroup ---------------------------------------------------------------------------

class CgroupUnavailable(LeakLabError):
    """No memory cgroup can be made here; the message says why in one line."""


@dataclass
class CgroupRun:
    run: Run
    version: int           # 2 (memory.max) or 1 (memory.limit_in_bytes)
    limit: int
    oom_kills: int         # what the cgroup's own counter says happened in it
    peak: int | None       # the cgroup's peak memory use, where the kernel keeps one

    @property
    def killed_by_kernel(self) -> bool:
        return self.oom_kills > 0 and self.run.returncode == -9


def _mounts() -> list[tuple[str, str, str]]:
    """(mount point, fs type, super options) from /proc/self/mountinfo."""
    out = []
    try:
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            left, right = line.split(" - ", 1)
            fstype, _, sopts = (right.split() + ["", "", ""])[:3]
            out.append((left.split()[4], fstype, sopts))
    except (OSError, ValueError):
        pass
    return out


def _own_cgroups() -> dict[str, str]:
    """Controller ("" for v2) -> this process's cgroup path, from /proc/self/cgroup."""
    out = {}
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, ctrls, path = line.split(":", 2)
            for c in (ctrls.split(",") if ctrls else [""]):
                out[c] = path
    except (OSError, ValueError):
        pass
    return out


def memory_cgroup_parent() -> tuple[int, Path]:
    """Where a child memory cgroup can be made: under this process's own cgroup (so that whatever
    limits this process keeps limiting the child). Raises CgroupUnavailable with the reason."""
    if not Path("/proc/self/cgroup").exists():
        raise CgroupUnavailable("no /proc/self/cgroup: not Linux, no cgroups")
    own = _own_cgroups()
    for point, fstype, _ in _mounts():
        if fstype == "cgroup2" and "" in own:
            d = Path(point + own[""])
            ctrls = (d / "cgroup.controllers").read_text().split() if (d / "cgroup.controllers").exists() else []
            if "memory" in ctrls and os.access(d, os.W_OK):
                return 2, d
    for point, fstype, sopts in _mounts():
        if fstype == "cgroup" and "memory" in sopts.split(",") and "memory" in own:
            d = Path(point + own["memory"])
            if (d / "memory.limit_in_bytes").exists() and os.access(d, os.W_OK):
                return 1, d
    why = "not root" if os.geteuid() != 0 else "no writable memory controller (cgroup v2 without memory delegated, no v1 memory hierarchy)"
    raise CgroupUnavailable(f"no memory cgroup can be made here: {why}")


def _counter(path: Path, key: str) -> int:
    try:
        for line in path.read_text().splitlines():
            k, _, v = line.partition(" ")
            if k == key:
                return int(v)
    except (OSError, ValueError):
        pass
    return 0


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def run_in_cgroup(variant: str, duration: float, limit: int, args: list[str] | None = None,
                  scenario: str = SCENARIO, **kw) -> CgroupRun:
    """Run a variant of a sample inside a new memory cgroup limited to `limit` bytes (v2
    `memory.max`, v1 `memory.limit_in_bytes`, swap off where the kernel has the knob), as a
    container runtime does; the cgroup is removed afterwards. The program enters it through a
    two-line shell wrapper that writes its own pid into `cgroup.procs` and then execs it (same pid).
    Raises CgroupUnavailable (one line) where no memory cgroup can be made."""
    version, parent = memory_cgroup_parent()
    binary = build(scenario_dir(scenario), go_for(None))
    cg = parent / f"leaklab-{os.getpid()}-{int(time.time() * 1000) % 10**8}"
    tmp = Path(tempfile.mkdtemp(prefix="leaklab-cgroup-"))
    try:
        try:
            cg.mkdir()
            if version == 2:
                (cg / "memory.max").write_text(str(limit))
                if (cg / "memory.swap.max").exists():
                    (cg / "memory.swap.max").write_text("0")
            else:
                (cg / "memory.limit_in_bytes").write_text(str(limit))
                if (cg / "memory.memsw.limit_in_bytes").exists():
                    try:
                        (cg / "memory.memsw.limit_in_bytes").write_text(str(limit))
                    except OSError:
                        pass
        except OSError as err:
            raise CgroupUnavailable(f"could not make a memory cgroup here: {err.strerror or err}") from None
        wrapper = tmp / "in-cgroup"
        wrapper.write_text(f"#!/bin/sh\necho $$ > '{cg / 'cgroup.procs'}' || exit 97\nexec '{binary.path}' \"$@\"\n")
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
        run = measure(dataclasses.replace(binary, path=wrapper), sample_argv(variant, duration, args),
                      sample_options(variant, duration, **kw))
        if run.returncode == 97:
            raise CgroupUnavailable("the program could not enter the memory cgroup (writing cgroup.procs failed)")
        if version == 2:
            kills, peak = _counter(cg / "memory.events", "oom_kill"), _read_int(cg / "memory.peak")
        else:
            kills, peak = _counter(cg / "memory.oom_control", "oom_kill"), _read_int(cg / "memory.max_usage_in_bytes")
        return CgroupRun(run, version, limit, kills, peak)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for _ in range(50):  # the group was killed; the kernel frees the cgroup once its last task is gone
            try:
                cg.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.05)


def cgroup_lines(c: CgroupRun) -> str:
    """What happened, in lines built from the run and the cgroup's own counters."""
    knob = "memory.max" if c.version == 2 else "memory.limit_in_bytes"
    counter = "memory.events" if c.version == 2 else "memory.oom_control"
    r = c.run
    seen = limit_seen(r)
    out = [f"cgroup v{c.version}, {knob} = {mib(c.limit)}; the program's own debug.SetMemoryLimit(-1) read "
           + (f"{seen:,} bytes" + (" (no limit: the Go runtime does not read the cgroup's)" if seen and seen >= 2**62 else "")
              if seen is not None else "nothing (it printed no limit)"),
           f"end: {r.exit}, exit status {r.returncode}" + (" (SIGKILL)" if r.returncode == -9 else "")
           + f" after {r.wall_s:.1f} s; {counter} oom_kill = {c.oom_kills}"
           + (f"; the cgroup's peak use {mib(c.peak)}" if c.peak else "")]
    s = [x for x in r.samples if not x.get("final")]
    if s:
        out.append(f"its last sample, at t = {s[-1]['t']:.2f} s: live heap {mib(s[-1]['heap_live'])}, runtime total "
                   f"{mib(s[-1]['total_bytes'])}, heap goal {mib(s[-1]['heap_goal'])}")
    return "\n".join(out)


# --- the scavenger after a burst ---------------------------------------------------------------------

def burst_numbers(run: Run, watch: RssWatch, burst_at: float) -> dict:
    """For a run holding a burst of memory from `burst_at` on: RSS before it, at its peak, and at
    the end; when the live heap fell back (the first sample after the peak under half of it) and
    how long RSS then took to fall half-way back to where it was before the burst."""
    rss = watch.series(run)
    before = rss_at(rss, burst_at - 0.05)
    t_peak, peak = max(rss, key=lambda x: x[1]) if rss else (0.0, 0)
    live_peak = max(s["heap_live"] for s in run.samples)
    t_live_peak = next(s["t"] for s in run.samples if s["heap_live"] == live_peak)
    freed = next((s["t"] for s in run.samples if s["t"] > t_live_peak and s["heap_live"] < live_peak / 2), None)
    half = before + (peak - before) / 2
    rss_half = next((t for t, v in rss if t > t_peak and v <= half), None)
    back = next((t for t, v in rss if t > t_peak and v <= before + (peak - before) / 10), None)
    periodic = [s for s in run.samples if not s.get("final")]
    return {"rss_before": before, "rss_peak": peak, "t_rss_peak": t_peak, "rss_end": rss_at(rss, periodic[-1]["t"]),
            "live_peak": live_peak, "live_freed_at": freed, "rss_half_at": rss_half,
            "lag": (rss_half - freed) if rss_half is not None and freed is not None else None,
            "back": (back - freed) if back is not None and freed is not None else None,
            "end_t": periodic[-1]["t"]}


def burst_lines(runs: list[Run], watch: RssWatch, burst_at: float) -> str:
    out = []
    for r in runs:
        b = burst_numbers(r, watch, burst_at)
        lag = (f"RSS fell half-way back {max(b['lag'], 0):.2f} s after the live heap did" if b["lag"] is not None
               else f"RSS had not fallen half-way back by t = {b['end_t']:.1f} s")
        lag += (f", 90 % of the way {max(b['back'], 0):.2f} s after" if b["back"] is not None else
                f", not 90 % of the way by t = {b['end_t']:.1f} s")
        out.append(f"{r.label}: RSS {mib(b['rss_before'])} before the burst, {mib(b['rss_peak'])} at its peak, "
                   f"{mib(b['rss_end'])} at the end; live heap peak {mib(b['live_peak'])}, freed by t = "
                   f"{b['live_freed_at'] if b['live_freed_at'] is None else round(b['live_freed_at'], 2)} s; {lag}")
    return "\n".join(out)


def end_lines(runs: list[Run], watch: RssWatch) -> str:
    """Per run, at its last periodic sample: live heap, heap goal, runtime total, RSS, RSS / live."""
    out = []
    for r in runs:
        e = at_end(r, watch)
        out.append(f"{r.label:6} t = {e['t']:.2f} s: live heap {mib(e['live']):>10}, heap goal {mib(e['goal']):>10}, "
                   f"runtime total {mib(e['total']):>10}, RSS {mib(e['rss']):>10} = {e['rss_per_live']:.2f} × the live heap")
    return "\n".join(out)


def show_last(run: Run, watch: RssWatch, n: int = 6) -> None:
    """The last samples a program wrote before it ended, as a table."""
    _md(f"**The last {n} samples {run.label} wrote:**\n\n" + last_samples(run, watch, n))
