"""Lab 12, finalizers, cleanups and weak pointers: the conns' numbers and the safety-net figure,
what `GODEBUG=checkfinalizers=1` reports, the caches' figure, and the task (tasks/finalizers: a
safety net that works on a cycle, proven with checkfinalizers)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..errors import BuildError, LeakLabError
from ..gotools import relative_paths
from ..measure import Run, check
from ..samples import samples_dir, scenario_dir
from ..tasks import TaskResult, task
from ..toolchain import go_for
from ..notebook import show_figure as _show_figure

PACKAGE = "internals/finalizers"
MiB = 2**20
MB = 1e6


def printed(run: Run) -> list[dict]:
    """The JSON lines the program printed on stdout (its own measurements), in order."""
    return [json.loads(ln) for ln in run.stdout_tail.splitlines() if ln.startswith("{")]


def share_closed(run: Run) -> str:
    """How many of a conns run's descriptors its finalizers or cleanups closed, in words:
    "none", "some" or "all"."""
    e = printed(run)[-1]
    return "all" if e["closed"] >= e["opened"] else "some" if e["closed"] else "none"


def conns_summary(runs: list[Run], rate: int = 500, size: int = 16 << 10) -> str:
    """The leaky/fixed conns pair: conns opened, descriptors closed, live heap, bytes kept per conn
    and the leak rate against rate × size."""
    leaky, fixed = runs
    lines = []
    for r in runs:
        e = printed(r)[-1]
        lines.append(f"{r.label}: opened {e['opened']:,} conns, closed {e['closed']:,} descriptors "
                     f"({'finalizers' if r.label == 'leaky' else 'cleanups'} that ran); "
                     f"live heap {e['live_heap'] / MiB:.2f} MiB")
    e = printed(leaky)[-1]
    kept = leaky.final["heap_live"] - fixed.final["heap_live"]
    lines += ["", f"leaky keeps {kept / max(e['opened'], 1):,.0f} bytes per conn (the reader buffer is {size:,}); "
              f"leak rate {leaky.verdict.heap.slope / MB:.1f} MB/s vs {rate} conns/s × {size // 1024} KiB "
              f"= {rate * size / MB:.1f} MB/s"]
    return "\n".join(lines)


def safety_nets_table(runs: list[Run]) -> str:
    rows = ["| run | reader points back at conn | conns opened | descriptors closed | live heap at end | verdict |",
            "|---|---|---|---|---|---|"]
    for r in runs:
        e = printed(r)[-1]
        rows.append(f"| {r.label} | {'yes' if e['cycle'] else 'no'} | {e['opened']:,} | {e['closed']:,} | "
                    f"{e['live_heap'] / MiB:.2f} MiB | {r.verdict.verdict} |")
    return "\n".join(rows)


NET_COLOURS = {"leaky": "#c0392b", "fixed": "#2e8b57", "leaky, no cycle": "#2471a3", "captures": "#e67e22"}


def plot_safety_nets(runs: list[Run]):
    """Per run: the share of descriptors its safety net closed, and its live heap with the verdict."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import EngFormatter

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 3.6), layout="constrained")
    names = [r.label for r in runs]
    ends = [printed(r)[-1] for r in runs]
    closed = [100 * e["closed"] / max(e["opened"], 1) for e in ends]
    live = [e["live_heap"] for e in ends]
    colours = [NET_COLOURS.get(n, "#7f8c8d") for n in names]
    a1.barh(names, closed, color=colours)
    a2.barh(names, live, color=colours)
    for i, (r, e) in enumerate(zip(runs, ends)):
        a1.text(closed[i], i, f" {e['closed']:,} of {e['opened']:,}", va="center", fontsize=9)
        a2.text(live[i], i, f" {r.verdict.verdict.upper()}", va="center", fontsize=9, fontweight="bold")
    a1.set_xlim(0, 135)
    a1.set_xlabel("descriptors closed by a finalizer or cleanup (% of conns opened)")
    a2.xaxis.set_major_formatter(EngFormatter(unit="B"))
    a2.set_xlim(0, max(live) * 1.3)
    a2.set_xlabel("live heap after the run (after GC)")
    for a in (a1, a2):
        a.invert_yaxis()
        a.grid(alpha=0.3, axis="x")
    fig.suptitle("Which safety nets ever run? Conns nobody closed", fontweight="bold")
    return fig


def show_safety_nets(runs: list[Run]) -> None:
    from IPython.display import Markdown, display
    display(Markdown(safety_nets_table(runs)))
    _show_figure(plot_safety_nets(runs))


def cleanup_panics() -> str:
    """Run the package's test that attaches a cleanup whose closure holds its object; its lines
    that say what happened."""
    res = go_for(None).run("test", "-count=1", "-v", "-run", "^TestCleanupThatClosesOverItsObjectPanics$",
                           f"./{PACKAGE}/", cwd=samples_dir(), timeout=300)
    out = res.stdout + res.stderr
    return "\n".join(ln for ln in out.splitlines() if "panicked" in ln or ln.startswith(("---", "ok", "FAIL")))


@dataclass
class CheckReport:
    """What `GODEBUG=checkfinalizers=1` said about one run."""

    reported: int                 # objects reported as reachable from their finalizer or cleanup
    fatal: str                    # the runtime's fatal error line, "" when it ran to the end
    first: list[str]              # the first report's lines
    attached: list[str] = field(default_factory=list)   # file:line where each reported one was attached

    @property
    def clean(self) -> bool:
        return not self.reported and not self.fatal


_CREATED = re.compile(r"^\s*created at:\s*$")
_FILE_LINE = re.compile(r"/([\w.-]+\.go:\d+)")


def check_report(stderr: str) -> CheckReport:
    """Parse the runtime's checkfinalizers output: how many objects it reported, its fatal error,
    the first report, and where each reported finalizer or cleanup was attached."""
    lines = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("checkfinalizers: queue:")]
    fatal = next((ln for ln in lines if ln.startswith("fatal error")), "")
    start = next((i for i, ln in enumerate(lines) if ln.startswith("WARNING")), None)
    first = []
    if start is not None:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(("WARNING", "fatal error"))),
                   len(lines))
        first = lines[start:min(end, start + 9)]
    attached = []
    for i, ln in enumerate(lines):
        if _CREATED.match(ln):
            loc = next((m[1] for nxt in lines[i + 1:i + 3] if (m := _FILE_LINE.search(nxt))), "")
            if loc:
                attached.append(loc)
    return CheckReport(stderr.count("is reachable from"), fatal, first, attached)


def show_checkfinalizers(checked: dict[str, Run]) -> dict[str, CheckReport]:
    """Per run under checkfinalizers=1: how it ended, how many objects were reported, the fatal
    error and the first report."""
    reports = {}
    for v, r in checked.items():
        rep = check_report(r.stderr_tail)
        reports[v] = rep
        print(f"=== {v}: {r.exit} after {r.wall_s:.2f} s; {rep.reported} object(s) reported"
              + (f"; {rep.fatal}" if rep.fatal else ""))
        if rep.first:  # the runtime's report, with this machine's paths made relative to the lab
            print(relative_paths("\n".join(rep.first)))
    return reports


# --- weak caches --------------------------------------------------------------------------

CACHE_COLOURS = {"strong cache": "#7d3c98", "weak cache": "#2471a3"}


def cache_numbers(run: Run) -> dict:
    """The cache run's last report (when the load ended) with its hit rate, the GC cycles during
    the load (and how many the probe forced), and the live heap at the end of the load."""
    e = printed(run)[-1]
    during = [g for g in run.gctrace if g["t"] <= e["t"]]  # not the probe's collections after main returned
    at_end = [s for s in run.samples if s["t"] <= e["t"]][-1]
    return {**e, "rate": e["hits"] / max(e["hits"] + e["misses"], 1), "cycles": len(during),
            "forced": sum(g["forced"] for g in during), "live": at_end["heap_live"], "slope": run.verdict.heap.slope}


def cache_summary(caches: list[Run]) -> str:
    lines = []
    for r in caches:
        n = cache_numbers(r)
        lines.append(f"{r.label}: {n['hits']:,} hits, {n['misses']:,} misses (hit rate {n['rate']:.0%}), "
                     f"{n['entries']:,} entries at the end; {n['cycles']} GC cycles during the load, "
                     f"{n['forced']} of them forced by the probe; live heap at the end of load {n['live'] / MiB:.1f} MiB")
    strong, weak = (cache_numbers(r) for r in caches)
    lines += [f"entries at the end: strong {strong['entries']:,} (its misses: {strong['misses']:,}), "
              f"weak {weak['entries']:,}",
              f"live heap slope: strong {strong['slope'] / MB:+.1f} MB/s, weak {weak['slope'] / MB:+.2f} MB/s"]
    return "\n".join(lines)


def higher_hit_rate(caches: list[Run]) -> str:
    """Which cache hit more often: "strong", "weak" or "about the same" (within 2 points)."""
    strong, weak = (cache_numbers(r)["rate"] for r in caches)
    return "about the same" if abs(strong - weak) < 0.02 else "strong" if strong > weak else "weak"


def plot_caches(caches: list[Run], keys: int = 100_000, in_use: int = 64):
    """Live heap after each GC, map entries (with the weak cache's GC cycles) and hit rate so far."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import EngFormatter, MaxNLocator

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4), layout="constrained")
    for r in caches:
        c, rep = CACHE_COLOURS.get(r.label, "#7f8c8d"), [s for s in printed(r) if not s.get("final")]
        ts = [s["t"] for s in r.samples]
        axes[0].step(ts, [s["heap_live"] if s.get("gc_cycles") else float("nan") for s in r.samples], where="post",
                     color=c, lw=2, label=r.label)
        axes[1].plot([s["t"] for s in rep], [s["entries"] for s in rep], "-", color=c, lw=2)
        axes[2].plot([s["t"] for s in rep], [s["hits"] / max(s["hits"] + s["misses"], 1) for s in rep], "-",
                     color=c, lw=2)
    weak = next((r for r in caches if r.label == "weak cache"), None)
    for g in weak.gctrace if weak else []:
        axes[1].axvline(g["t"], color=CACHE_COLOURS["weak cache"], alpha=0.25, lw=1)
    axes[0].yaxis.set_major_formatter(EngFormatter(unit="B"))
    axes[1].yaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set_title("live heap (after each GC)", loc="left")
    axes[1].set_title("map entries (thin lines: the weak cache's GC cycles)", loc="left")
    axes[2].set_title("hit rate so far", loc="left")
    axes[2].yaxis.set_major_formatter(lambda y, _: f"{y:.0%}")
    axes[2].set_ylim(0, 1)
    for ax in axes:
        ax.set_xlabel("time since start (s)")
        ax.grid(alpha=0.3)
    fig.legend(loc="outside lower center", ncol=2, fontsize=9)
    fig.suptitle(f"Strong map vs weak-valued map, same requests (Zipf over {keys:,} keys, {in_use} images in use)",
                 fontweight="bold")
    return fig


def show_caches(caches: list[Run]) -> None:
    bad = [f"{r.label}: {r.message}" for r in caches if not r.ok]
    if bad:
        raise LeakLabError("a cache run did not finish: " + "; ".join(bad))
    print(cache_summary(caches))
    _show_figure(plot_caches(caches))


# --- the task: a safety net on a cycle -----------------------------------------------------

TASK = "finalizers"
TASK_PKG = "tasks/finalizers"
TASK_FILE = "spool.go"


@dataclass
class SpoolResult(TaskResult):
    """The check's answer, with the plain run's counts and the checkfinalizers report."""

    counts: dict = field(default_factory=dict)
    report: CheckReport | None = None

    @property
    def net_closed(self) -> str:
        """How many forgotten files the safety net closed, in words: "none", "some" or "all"."""
        c = self.counts
        if not c.get("files_forgotten"):
            return "none"
        still = c["files_still_open"]
        return "all" if still == 0 else "none" if still >= c["files_forgotten"] else "some"


def judge(counts: dict, report: CheckReport) -> SpoolResult:
    """Done when no file is left open, none was closed twice, and checkfinalizers found nothing."""
    forgotten, still, twice = counts["files_forgotten"], counts["files_still_open"], counts["closed_twice"]
    done = still == 0 and twice == 0 and report.clean
    net = (f"the safety net closed all {forgotten:,} files of the forgotten spools" if still == 0 else
           f"the safety net left {still:,} of the forgotten spools' {forgotten:,} files open")
    net += f", {twice:,} closed twice" if twice else ", none closed twice"
    if report.clean:
        chk = "GODEBUG=checkfinalizers=1 found nothing"
    else:
        where = f", attached at {report.attached[0]}" if report.attached else ""
        chk = f"GODEBUG=checkfinalizers=1 stopped the program: {report.reported} objects reachable from their " \
              f"own finalizer or cleanup{where}"
    details = ""
    if report.first:
        details = "The first report of `GODEBUG=checkfinalizers=1`:\n```\n" + "\n".join(report.first) + "\n```"
    if twice:
        details += ("\n\n" if details else "") + ("A file closed twice: the safety net also closed files of "
                                                   "spools their callers had already closed.")
    return SpoolResult(done, f"{'done' if done else 'not done'}: {net}; {chk}", details, counts=counts, report=report)


@task(TASK, package=TASK_PKG, files=(TASK_FILE,))
def check_spools(duration: float = 60.0, **kw) -> SpoolResult:
    """Run tasks/finalizers with your spool.go twice: plainly (what the safety net closed) and
    with GODEBUG=checkfinalizers=1 (whether the runtime finds a spool reachable from its own
    finalizer or cleanup)."""
    folder = scenario_dir(TASK_PKG)
    try:
        plain = check(folder, duration=duration, label="task", **kw)
    except BuildError as err:
        msgs = list(err.messages)
        return SpoolResult(False, f"does not build: {msgs[0] if msgs else err}",
                           "Go says:\n```\n" + "\n".join(msgs[:20]) + "\n```" if msgs else "")
    out = printed(plain)
    if plain.exit != "exited" or not out:
        return SpoolResult(False, f"did not finish: {plain.message or 'the program printed no result'}",
                           f"```\n{plain.stderr_tail[-2000:].strip()}\n```" if plain.stderr_tail.strip() else "")
    checked = check(folder, duration=duration, label="task, checkfinalizers=1",
                    env={"GODEBUG": "checkfinalizers=1"}, **kw)
    report = check_report(checked.stderr_tail)
    if checked.exit != "exited" and not report.fatal:
        report.fatal = checked.message or "the program did not run to its end"
    return judge(out[-1], report)
