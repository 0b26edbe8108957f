"""Lab 13, MemStats or runtime/metrics: the mapping of names (with the goroutine counts measured),
the series of both APIs over a leak and its fix, what a read costs (benchmarks), and the tasks
(tasks/metrics: a runtime/metrics logger; three services to tell apart by its lines)."""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LeakLabError
from ..measure import Run
from ..samples import samples_dir, scenario_dir
from ..tasks import TaskResult, task
from ..toolchain import Go, go_for
from ..verdict import theil_sen
from ..notebook import show_markdown as _md, show_figure as _show_figure

MB = 1e6
EVERY_SAMPLE = {"LEAKLAB_MEMSTATS_EVERY": "1"}   # the probe reads MemStats on every sample, not once a second
REPO = Path(__file__).resolve().parent.parent.parent


def _go() -> Go:
    return go_for(None)


# --- the names, side by side ----------------------------------------------------------------

_COUNTS = re.compile(r"NumGoroutine (\d+), /sched/goroutines:goroutines (\d+); with 100 more parked: (\d+) and (\d+)")


def goroutine_counts() -> dict[str, int]:
    """Run toolkit/memstats' TestGoroutineCounts: runtime.NumGoroutine() and
    /sched/goroutines:goroutines read at the same moment, idle and with 100 goroutines parked."""
    res = _go().run("test", "-count=1", "-v", "-run", "^TestGoroutineCounts$", "./toolkit/memstats/",
                    cwd=samples_dir(), timeout=300)
    m = _COUNTS.search(res.stdout)
    if res.returncode != 0 or not m:
        raise LeakLabError(f"TestGoroutineCounts failed: {(res.stdout + res.stderr).strip()[-400:]}")
    n, metric, n2, metric2 = map(int, m.groups())
    return {"num_goroutine": n, "metric": metric, "num_goroutine_100": n2, "metric_100": metric2}


_ROWS = [
    ("`HeapAlloc` (also `Alloc`)", "`/memory/classes/heap/objects:bytes`",
     "heap objects not yet freed: the live ones **and the garbage the GC has not swept yet**"),
    ("—", "`/gc/heap/live:bytes`", "heap the last GC marked reachable; it changes only when a GC cycle ends"),
    ("`NextGC`", "`/gc/heap/goal:bytes`", "the heap size at which the current GC cycle should be done"),
    ("`HeapInuse`", "`…/heap/objects` + `…/heap/unused`",
     "spans holding at least one object: `HeapAlloc` plus the free slots in those spans"),
    ("`HeapSys`", "`…/heap/objects` + `unused` + `free` + `released`",
     "address space reserved for the heap, including memory already given back to the OS"),
    ("`Sys`", "`/memory/classes/total:bytes`", "everything the runtime mapped: heap, stacks, its own metadata"),
    ("`StackInuse`", "`/memory/classes/heap/stacks:bytes`", "goroutine stacks"),
    ("`TotalAlloc`", "`/gc/heap/allocs:bytes`", "every byte ever allocated: it only grows, leak or not"),
    ("`HeapObjects`", "`/gc/heap/objects:objects`", "objects, live or not yet swept"),
    ("`NumGC`", "`/gc/cycles/total:gc-cycles`", "completed GC cycles"),
]


def mapping_table(counts: dict[str, int]) -> str:
    """The MemStats fields next to their runtime/metrics names; the goroutine row says, with the
    counts measured, that the metric and runtime.NumGoroutine() are not the same number."""
    rows = ["| `runtime.MemStats` | `runtime/metrics` | what it counts |", "|---|---|---|"]
    rows += [f"| {a} | {b} | {c} |" for a, b, c in _ROWS]
    rows.append("| (`runtime.NumGoroutine()`) | `/sched/goroutines:goroutines` | goroutines, but **not the same "
                "count**: the metric also counts the runtime's own system goroutines (GC workers, the finalizer "
                f"goroutine…), `NumGoroutine` does not. Measured in a test binary: `NumGoroutine` "
                f"{counts['num_goroutine']}, the metric {counts['metric']}; with 100 goroutines more, "
                f"{counts['num_goroutine_100']} and {counts['metric_100']} |")
    return "\n".join(rows)


def show_mapping() -> dict[str, int]:
    counts = goroutine_counts()
    _md(mapping_table(counts))
    return counts


# --- the series of both APIs ----------------------------------------------------------------

def ms(run: Run, name: str) -> tuple[list[float], list[float]]:
    """(times, values) of one MemStats field over a run."""
    pts = [(s["t"], s["memstats"][name]) for s in run.samples if "memstats" in s]
    return [t for t, _ in pts], [v for _, v in pts]


def metric(run: Run, key: str) -> tuple[list[float], list[float]]:
    """(times, values) of one of the probe's runtime/metrics series, from the first GC on."""
    pts = [(s["t"], s[key]) for s in run.samples if key in s and s.get("gc_cycles")]
    return [t for t, _ in pts], [v for _, v in pts]


def plot_memstats(runs: list[Run]):
    """Per run (column): HeapAlloc with the live heap and the goal; HeapInuse, HeapSys, Sys; NumGC."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import EngFormatter, MaxNLocator

    from ..plot import color_for
    fig, axes = plt.subplots(3, len(runs), figsize=(11, 8.5), sharex=True, sharey="row", layout="constrained",
                             squeeze=False)
    for col, run in enumerate(runs):
        c = color_for(run.label, col)
        ax = axes[0][col]
        ax.plot(*ms(run, "HeapAlloc"), color=c, lw=1, alpha=0.55, label="HeapAlloc (MemStats)")
        ax.step(*metric(run, "heap_live"), where="post", color=c, lw=2.4, label="/gc/heap/live:bytes")
        ax.step(*metric(run, "heap_goal"), where="post", color="0.35", lw=1, ls="--", label="/gc/heap/goal:bytes")
        ax.set_title(f"{run.label}: {run.verdict.verdict.upper()}", color=c, loc="left", fontweight="bold")
        ax2 = axes[1][col]
        for name, ls in (("HeapInuse", "-"), ("HeapSys", "--"), ("Sys", ":")):
            ax2.plot(*ms(run, name), color=c, ls=ls, lw=1.6, label=name)
        ax3 = axes[2][col]
        ax3.step(*ms(run, "NumGC"), where="post", color=c, lw=1.8, label="NumGC")
        ax3.set_xlabel("time since start (s)")
        ax3.yaxis.set_major_locator(MaxNLocator(integer=True))
        for a in (ax, ax2):
            a.yaxis.set_major_formatter(EngFormatter(unit="B"))
        for a in (ax, ax2, ax3):
            a.grid(alpha=0.3)
            if col == 0:
                a.legend(loc="upper left", fontsize=8)
    axes[0][0].set_ylabel("heap objects")
    axes[1][0].set_ylabel("memory reserved")
    axes[2][0].set_ylabel("GC cycles")
    fig.suptitle("HeapAlloc saws, the live heap steps: leaky vs fixed, same load", fontweight="bold")
    return fig


def show_memstats(runs: list[Run]) -> None:
    """The MemStats figure of a leaky/fixed pair, then the GC's pace in each."""
    _show_figure(plot_memstats(runs))
    print(gc_rates(runs))


def gc_rates(runs: list[Run]) -> str:
    """GC cycles per second in the first and the last third of each run (from NumGC)."""
    lines = []
    for run in runs:
        ts, n = ms(run, "NumGC")
        span = (ts[-1] - ts[0]) / 3
        ends = [t for t, a, b in zip(ts[1:], n, n[1:]) if b > a]
        early = [t for t in ends if t < ts[0] + span]
        late = [t for t in ends if t >= ts[0] + 2 * span]
        lines.append(f"{run.label}: {int(n[-1])} GC cycles; first third of the run {len(early) / span:.1f} cycles/s, "
                     f"last third {len(late) / span:.1f} cycles/s")
    return "\n".join(lines)


def fit(ts: list[float], ys: list[float]) -> tuple[float, float]:
    """Theil-Sen slope after the first 15 % of a series, and the 5-95 % spread of its residuals."""
    pts = [(t, y) for t, y in zip(ts, ys) if t >= ts[0] + 0.15 * (ts[-1] - ts[0])]
    ts, ys = [p[0] for p in pts], [p[1] for p in pts]
    step = max(1, len(ts) // 120)            # thin the series: Theil-Sen is quadratic
    slope = theil_sen(ts[::step], ys[::step])
    res = sorted(y - slope * t for t, y in zip(ts, ys))
    return slope, res[int(0.95 * (len(res) - 1))] - res[int(0.05 * (len(res) - 1))]


SERIES = {
    "HeapAlloc": lambda r: ms(r, "HeapAlloc"),
    "/memory/classes/heap/objects:bytes": lambda r: metric(r, "heap_object_bytes"),
    "/gc/heap/live:bytes": lambda r: metric(r, "heap_live"),
    "/gc/heap/goal:bytes (NextGC)": lambda r: metric(r, "heap_goal"),
    "HeapInuse": lambda r: ms(r, "HeapInuse"),
    "HeapSys": lambda r: ms(r, "HeapSys"),
    "Sys": lambda r: ms(r, "Sys"),
    "TotalAlloc = /gc/heap/allocs:bytes": lambda r: metric(r, "alloc_bytes"),
}


def visibility(runs: list[Run]) -> list[dict]:
    """Per series: the leaky and fixed slopes, the leaky run's wobble around its line, and how long
    the leak takes to outgrow that wobble (wobble / slope)."""
    leaky, fixed = runs
    rows = []
    for name, get in SERIES.items():
        s_l, wob = fit(*get(leaky))
        s_f, _ = fit(*get(fixed))
        rows.append({"series": name, "leaky": s_l, "fixed": s_f, "wobble": wob,
                     "after": wob / s_l if s_l > 0 else float("inf")})
    return rows


def _after(seconds: float) -> str:
    return "never (no slope)" if seconds == float("inf") else f"{seconds:.2f} s"


def show_visibility(runs: list[Run]) -> dict[str, float]:
    """The visibility table and what it says about the live heap, HeapAlloc and TotalAlloc;
    returns {series: seconds until the leak outgrows its wobble}."""
    rows = visibility(runs)
    table = ["| series | leaky slope | fixed slope | leaky wobble | leak outgrows wobble after |",
             "|---|---:|---:|---:|---:|"]
    table += [f"| `{r['series']}` | {r['leaky'] / MB:+.2f} MB/s | {r['fixed'] / MB:+.2f} MB/s | "
              f"{r['wobble'] / MB:.1f} MB | {_after(r['after'])} |" for r in rows]
    _md("\n".join(table))
    after = {r["series"]: r["after"] for r in rows}
    live, alloc = after["/gc/heap/live:bytes"], after["HeapAlloc"]
    total = next(r for r in rows if r["series"].startswith("TotalAlloc"))
    print(f"live heap: the leak stands out after {live:.2f} s; HeapAlloc: after {alloc:.2f} s "
          f"({alloc / live:.1f}x {'longer' if alloc >= live else 'shorter'})")
    print(f"TotalAlloc grows at {total['fixed'] / MB:.1f} MB/s in the FIXED run: it is a rate of allocation, "
          "not a leak signal")
    return after


def first_to_show(after: dict[str, float]) -> str:
    """Which of HeapAlloc and the live heap shows the leak first: "the live heap", "HeapAlloc" or
    "both at once" (within 20 %)."""
    live, alloc = after["/gc/heap/live:bytes"], after["HeapAlloc"]
    return "both at once" if abs(live - alloc) <= 0.2 * max(live, alloc) else \
        "the live heap" if live < alloc else "HeapAlloc"


def plot_stacks(runs: list[Run]):
    """StackInuse, HeapAlloc and the live heap of a goroutine-leak pair."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import EngFormatter

    from ..plot import color_for
    fig, axes = plt.subplots(1, len(runs), figsize=(11, 3.6), sharey=True, layout="constrained", squeeze=False)
    for i, (ax, run) in enumerate(zip(axes[0], runs)):
        c = color_for(run.label, i)
        ax.plot(*ms(run, "StackInuse"), color=c, lw=2.2, label="StackInuse")
        ax.plot(*ms(run, "HeapAlloc"), color=c, lw=1, alpha=0.5, label="HeapAlloc")
        ax.step(*metric(run, "heap_live"), where="post", color=c, lw=1.2, ls="--", label="/gc/heap/live:bytes")
        ax.set_title(f"{run.label}: {run.verdict.verdict.upper()}", color=c, loc="left", fontweight="bold")
        ax.yaxis.set_major_formatter(EngFormatter(unit="B"))
        ax.set_xlabel("time since start (s)")
        ax.grid(alpha=0.3)
    axes[0][0].legend(loc="upper left", fontsize=8)
    fig.suptitle("A goroutine leak lives in StackInuse: leaky vs fixed", fontweight="bold")
    return fig


def goroutine_summary(runs: list[Run]) -> str:
    lines = []
    for run in runs:
        last = [s["memstats"] for s in run.samples if "memstats" in s][-1]
        lines.append(f"{run.label}: {run.final['goroutines']:,} goroutines at the end; StackInuse "
                     f"{last['StackInuse'] / MB:.2f} MB, live heap {run.final['heap_live'] / MB:.2f} MB")
    gl, gf = runs
    extra = gl.final["goroutines"] - gf.final["goroutines"]
    stack = gl.final["stack_bytes"] - gf.final["stack_bytes"]
    heap = gl.final["heap_live"] - gf.final["heap_live"]
    if extra > 0:
        lines.append(f"per leaked goroutine (difference between the runs / {extra:,} extra goroutines): "
                     f"about {stack / extra:,.0f} B of stack and {heap / extra:,.0f} B of live heap")
    return "\n".join(lines)


def show_stacks(runs: list[Run]) -> None:
    _show_figure(plot_stacks(runs))
    print(goroutine_summary(runs))


def read_costs(runs: list[Run]) -> list[dict]:
    """Per run: how many MemStats reads the probe timed (ReadCostNs) and their median, 90th
    percentile and maximum, with the median of its metrics.Read in the same samples (ns)."""
    out = []
    for run in runs:
        cost = sorted(s["memstats"]["ReadCostNs"] for s in run.samples if "memstats" in s)
        if not cost:
            continue
        out.append({"run": f"{run.target.rstrip('/').split('/')[-1]} {run.label}", "n": len(cost),
                    "median": statistics.median(cost), "p90": cost[int(0.9 * (len(cost) - 1))], "max": cost[-1],
                    "metrics": statistics.median(s["metrics_read_ns"] for s in run.samples if "memstats" in s)})
    return out


def show_read_costs(runs: list[Run]) -> list[dict]:
    rows = read_costs(runs)
    table = ["| run | MemStats reads | median | 90th percentile | max | `metrics.Read` in the same samples, median |",
             "|---|---:|---:|---:|---:|---:|"]
    table += [f"| {r['run']} | {r['n']} | {r['median'] / 1e3:,.1f} µs | {r['p90'] / 1e3:,.1f} µs | "
              f"{r['max'] / 1e3:,.1f} µs | {r['metrics'] / 1e3:,.1f} µs |" for r in rows]
    _md("\n".join(table))
    med = [r["median"] for r in rows]
    print(f"ReadMemStats, as the probe timed it: medians {min(med) / 1e3:,.1f} to {max(med) / 1e3:,.1f} µs per call, "
          f"the slowest call of each run {min(r['max'] for r in rows) / 1e3:,.0f} to "
          f"{max(r['max'] for r in rows) / 1e3:,.0f} µs; metrics.Read in the same samples: medians "
          f"{min(r['metrics'] for r in rows) / 1e3:,.1f} to {max(r['metrics'] for r in rows) / 1e3:,.1f} µs")
    return rows


# --- the benchmark: what a read costs under load --------------------------------------------

_BENCH = re.compile(r"^Benchmark(\w+)/(\S+?)-\d+\s+\d+\s+(.*)$")


def parse_bench(text: str, into: dict | None = None) -> dict:
    """`go test -bench` lines of toolkit/memstats as {load: {reader: [{unit: value}, ...]}}."""
    bench = into if into is not None else {}
    for line in text.splitlines():
        m = _BENCH.match(line)
        if m:
            vals = {unit: float(v) for v, unit in re.findall(r"([\d.]+) (\S+)", m.group(3))}
            bench.setdefault(m.group(2).replace("_", " "), {}).setdefault(m.group(1), []).append(vals)
    return bench


def run_bench(n: int, count: int, heap_mb: int) -> dict:
    """Build toolkit/memstats' test binary once and run its benchmarks `count` times (separate
    processes: a burst of load on the machine hits one repeat, not all), n calls per load."""
    go = _go()
    work = Path(tempfile.mkdtemp(prefix="leaklab-memstats-"))
    try:
        binary = work / "memstats.test"
        res = go.run("test", "-c", "-o", str(binary), "./toolkit/memstats/", cwd=samples_dir(), timeout=900)
        if res.returncode != 0:
            raise LeakLabError(f"go test -c ./toolkit/memstats/ failed: {res.stderr.strip()[-400:]}")
        bench: dict = {}
        for _ in range(count):
            out = subprocess.run([str(binary), "-test.run", "^$", "-test.bench", ".", f"-test.benchtime={n}x",
                                  "-heapmb", str(heap_mb)], capture_output=True, text=True, timeout=900,
                                 cwd=scenario_dir("toolkit/memstats"), env=go.env())
            if out.returncode != 0:
                raise LeakLabError(f"the memstats benchmark failed: {(out.stdout + out.stderr).strip()[-400:]}")
            parse_bench(out.stdout, bench)
        bench["_meta"] = {"n": n, "count": count, "cpu": next((ln.split(":", 1)[1].strip() for ln in
                                                               out.stdout.splitlines() if ln.startswith("cpu:")), "")}
        return bench
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _loads(bench: dict) -> list[str]:
    return [k for k in bench if not k.startswith("_")]


def med(bench: dict, load: str, reader: str, unit: str) -> float:
    return statistics.median(v[unit] for v in bench[load][reader])


def best(bench: dict, load: str) -> tuple[float, float]:
    """The least disturbed run of ReadMemStats under a load: (median pause, median stopping) in ns."""
    run = min(bench[load]["ReadMemStats"], key=lambda v: v["pause-p50-ns"])
    return run["pause-p50-ns"], run["stopping-p50-ns"]


def worst(bench: dict, load: str) -> float:
    return max(v["pause-p50-ns"] for v in bench[load]["ReadMemStats"])


def bench_table(bench: dict) -> str:
    rows = ["| load | pauses per call | median pause, best run | of which stopping | the read itself | "
            "median pause, worst run | `ReadMemStats` call | `metrics.Read` call | its pauses per call |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for load in _loads(bench):
        pause, stop = best(bench, load)
        rows.append(f"| {load} | {med(bench, load, 'ReadMemStats', 'stw/op'):.2f} | {pause / 1e3:,.1f} µs | "
                    f"{stop / 1e3:,.1f} µs | {max(pause - stop, 0) / 1e3:,.1f} µs | {worst(bench, load) / 1e3:,.1f} µs | "
                    f"{med(bench, load, 'ReadMemStats', 'call-ns/op') / 1e3:,.1f} µs | "
                    f"{med(bench, load, 'MetricsRead', 'call-ns/op') / 1e3:,.2f} µs | "
                    f"{med(bench, load, 'MetricsRead', 'stw/op'):.2f} |")
    meta = bench.get("_meta", {})
    return (f"{meta.get('count', '?')} runs of {meta.get('n', '?')} calls per load; the *call* columns are "
            "medians over the runs:\n\n" + "\n".join(rows))


def plot_bench(bench: dict):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import EngFormatter

    loads = _loads(bench)
    fig, ax = plt.subplots(figsize=(10.5, 4.6), layout="constrained")
    w, x = 0.27, list(range(len(loads)))
    ax.bar([j - w for j in x], [med(bench, ld, "ReadMemStats", "call-ns/op") * 1e-9 for ld in loads], w,
           label="ReadMemStats: caller's cost (median run)", color="#7d3c98")
    ax.bar(x, [best(bench, ld)[0] * 1e-9 for ld in loads], w, color="#c39bd3",
           yerr=[[0] * len(loads), [(worst(bench, ld) - best(bench, ld)[0]) * 1e-9 for ld in loads]], capsize=3,
           ecolor="0.4", label="ReadMemStats: whole program paused (best run; line up to worst run)")
    ax.bar(x, [best(bench, ld)[1] * 1e-9 for ld in loads], w * 0.45, color="#5b2c6f",
           label="... of which stopping the other goroutines")
    ax.bar([j + w for j in x], [med(bench, ld, "MetricsRead", "call-ns/op") * 1e-9 for ld in loads], w,
           label="metrics.Read: caller's cost (never pauses the program)", color="#2471a3")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(EngFormatter(unit="s"))
    ax.set_xticks(x, loads)
    ax.set_xlabel("what else the program is doing")
    ax.set_ylabel("per call (log scale)")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    ax.set_title("ReadMemStats stops the world on every call, whatever the load; metrics.Read never does",
                 fontweight="bold", fontsize=10.5)
    return fig


BUCKET = 1.25   # the pause histograms' buckets are about 20 % wide: closer than this is the same bucket


def bench_findings(bench: dict) -> list[str]:
    """What this run of the benchmark shows, one markdown bullet per finding, each built from its
    numbers; a comparison the run does not support says so instead of stating the usual result."""
    loads = _loads(bench)
    tick = next(ld for ld in loads if "every" in ld)
    back = [ld for ld in loads if "every" not in ld]
    quiet = [ld for ld in back if not ld.startswith("running")]
    busy = [ld for ld in back if ld.startswith("running")]
    stw = [med(bench, ld, "ReadMemStats", "stw/op") for ld in loads]
    mstw = max(med(bench, ld, "MetricsRead", "stw/op") for ld in loads)
    idle_rm, idle_mr = med(bench, "idle", "ReadMemStats", "call-ns/op"), med(bench, "idle", "MetricsRead", "call-ns/op")
    caused = f"{min(stw):.2f}" if min(stw) == max(stw) else f"{min(stw):.2f} to {max(stw):.2f}"
    out = [f"**Pauses.** `ReadMemStats` caused {caused} stop-the-world pauses per call, under every load; "
           f"`metrics.Read` {mstw:.2f}. These are counts, not timings: no noise on the machine "
           f"changes them. Idle, the caller paid {idle_rm / 1e3:,.1f} µs per `ReadMemStats` and "
           f"{idle_mr / 1e3:,.2f} µs per `metrics.Read` of ten metrics ({idle_rm / idle_mr:,.0f}x)."]
    idle = best(bench, "idle")[0]
    heavy = {ld: best(bench, ld)[0] for ld in quiet if ld != "idle"}
    same = all(p <= idle * BUCKET for p in heavy.values())
    out.append("**The heap and parked goroutines.** Best-run median pauses: "
               + ", ".join(f"{ld} {best(bench, ld)[0] / 1e3:,.1f} µs" for ld in quiet) + ". "
               + ("None is longer than idle (within one histogram bucket): `ReadMemStats` walks neither the heap "
                  "nor the goroutines." if same else
                  "Some are longer than idle in this run, although `ReadMemStats` walks neither the heap nor the "
                  "goroutines: even the best of the runs was disturbed by something else on the machine."))
    q = min(quiet, key=lambda ld: best(bench, ld)[0])
    b = min(busy, key=lambda ld: best(bench, ld)[0])
    (qp, qs), (bp, bs) = best(bench, q), best(bench, b)
    longer = bp > 3 * qp
    out.append(f"**Running goroutines.** Shortest pause with nothing running: {qp / 1e3:,.1f} µs ({q}), "
               f"{qs / max(qp, 1):.0%} of it stopping; with goroutines running: {bp / 1e3:,.1f} µs ({b}), "
               f"{bs / max(bp, 1):.0%} of it stopping. "
               + ("Running goroutines made the pause longer, and stopping them is most of it." if longer and bs > 0.5 * bp
                  else "This run does not separate the two clearly; a quick run's few calls may be too few to."))
    rm = med(bench, tick, "ReadMemStats", "call-ns/op") / idle_rm
    mr = med(bench, tick, "MetricsRead", "call-ns/op") / idle_mr
    both = rm > 1.2 and mr > 1.2
    out.append(f"**Spaced-out reads** ({tick}) against back-to-back ones (idle), the caller's cost: "
               f"`ReadMemStats` x{rm:.1f}, `metrics.Read` x{mr:.1f}. "
               + ("Both cost more when spaced out." if both else
                  "Only " + ("`metrics.Read`" if mr > 1.2 else "`ReadMemStats`" if rm > 1.2 else "neither")
                  + " cost clearly more when spaced out in this run.")
               + f" One read per tick paused the program {best(bench, tick)[0] / 1e3:,.1f} µs in the best run, "
               f"{worst(bench, tick) / 1e3:,.1f} µs in the worst.")
    return out


def show_bench(bench: dict) -> None:
    _md(bench_table(bench))
    _show_figure(plot_bench(bench))
    cpu = bench.get("_meta", {}).get("cpu")
    _md(f"**What this run shows** (on this machine{', ' + cpu if cpu else ''}):\n\n"
        + "\n".join(f"- {b}" for b in bench_findings(bench)))


# --- readcost: what a read costs the rest of the program -------------------------------------

READERS = {"wake": "wakes up, reads nothing", "metrics": "`metrics.Read`, 12 metrics", "memstats": "`ReadMemStats`"}


def run_readcost(blocks: int) -> dict:
    """benchmarks/readcost for a CPU-bound and an allocating worker, with each reader; per row the
    reader's own time and the worker's extra time per read (median and middle half of the groups)."""
    go = _go()
    work = Path(tempfile.mkdtemp(prefix="leaklab-readcost-"))
    try:
        binary = work / "readcost"
        res = go.run("build", "-o", str(binary), "./readcost", cwd=REPO / "benchmarks", timeout=900)
        if res.returncode != 0:
            raise LeakLabError(f"go build ./readcost failed: {res.stderr.strip()[-400:]}")
        cost = {}
        for work_kind, rounds in (("cpu", 300), ("alloc", 1000)):
            for read in READERS:
                out = subprocess.run([str(binary), "-work", work_kind, "-read", read, "-blocks", str(blocks),
                                      "-rounds", str(rounds), "-interval", "1ms"],
                                     capture_output=True, text=True, timeout=900, env=go.env())
                if out.returncode != 0:
                    raise LeakLabError(f"readcost -work {work_kind} -read {read} failed: {out.stderr.strip()[-300:]}")
                r = json.loads(out.stdout)
                g = sorted(r["groups_us"])
                cost[work_kind, read] = {"caller": r["caller_us"], "worker": statistics.median(g),
                                         "q1": g[len(g) // 4], "q3": g[(3 * len(g)) // 4], "block": r["block_ms"]}
        return cost
    finally:
        shutil.rmtree(work, ignore_errors=True)


def steady(cost: dict) -> tuple[bool, str]:
    """Whether the readcost run can be read: a wake-up that reads nothing must cost a CPU-bound
    worker a few microseconds with a narrow spread, and ReadMemStats' own time must be ordinary."""
    quiet = cost["cpu", "wake"]
    spread = quiet["q3"] - quiet["q1"]
    ok = spread < 100 and quiet["worker"] > -50 and cost["cpu", "memstats"]["caller"] < 500
    return ok, (f"steady run: {'yes' if ok else 'NO'} (CPU-bound worker, wake-up only: middle half of the groups "
                f"spans {spread:,.0f} µs; ReadMemStats' own time {cost['cpu', 'memstats']['caller']:,.0f} µs)")


def readcost_table(cost: dict) -> str:
    rows = ["| worker | the reader | its own time per read | the worker's extra time per read (middle half of the groups) |",
            "|---|---|---:|---:|"]
    for (work, read), c in cost.items():
        rows.append(f"| {work} | {READERS[read]} | {c['caller']:,.1f} µs | **{c['worker']:,.0f} µs** "
                    f"({c['q1']:,.0f} to {c['q3']:,.0f}) |")
    return "\n".join(rows)


def readcost_findings(cost: dict) -> list[str]:
    """What a steady readcost run says, from its numbers (call only when `steady` says so)."""
    out = []
    for work in ("cpu", "alloc"):
        ms_, mr, wk = cost[work, "memstats"], cost[work, "metrics"], cost[work, "wake"]
        out.append(f"{work} worker: `ReadMemStats` cost it {ms_['worker']:,.0f} µs per call (its caller measured "
                   f"{ms_['caller']:,.0f}); `metrics.Read` {mr['worker']:,.0f} µs; waking up alone {wk['worker']:,.0f} µs")
    wake = cost["alloc", "wake"]
    out.append(f"alloc worker: a wake-up every millisecond cost it {wake['worker'] / 1e3:.0%} of its time")
    return out


def show_readcost(cost: dict) -> bool:
    """The readcost table, whether the run was steady, and, only when it was, what it says."""
    _md(readcost_table(cost))
    ok, line = steady(cost)
    print(line)
    if ok:
        _md("**What this run shows:**\n\n" + "\n".join(f"- {f}" for f in readcost_findings(cost)))
    else:
        print("Other work on the machine disturbed these blocks: the table above cannot be read, and this lab draws "
              "nothing from it. Run this cell again on a quiet machine (quick=False measures 50 groups per row); "
              "the README's readcost table was measured on one.")
    return ok


# --- the tasks: a runtime/metrics logger, and three services to tell apart -------------------

TASK_PKG = "tasks/metrics"
SERVICES_PKG = "tasks/metrics/services"
LABELS = ("heap leak", "goroutine leak", "warm-up cache")


def _build_task(go: Go, work: Path) -> tuple[Path | None, list[str]]:
    """`go build` tasks/metrics as it is on disk (no probe: the logger is the instrument); Go's
    messages when it does not build."""
    binary = work / "metrics"
    res = go.run("build", "-o", str(binary), f"./{TASK_PKG}/", cwd=samples_dir(), timeout=600)
    if res.returncode != 0:
        msgs = [ln.strip() for ln in res.stderr.splitlines() if re.search(r"\.go:\d+:\d+: ", ln)]
        return None, msgs or [res.stderr.strip().splitlines()[-1] if res.stderr.strip() else "go build failed"]
    return binary, []


def _run_task(go: Go, binary: Path, service: str, duration: float, interval: str = "100ms") -> tuple[list[dict], str, int]:
    out = subprocess.run([str(binary), "-service", service, "-duration", f"{duration:g}s", "-interval", interval],
                         capture_output=True, text=True, timeout=duration + 60, env=go.env())
    lines = []
    for ln in out.stdout.splitlines():
        try:
            lines.append(json.loads(ln))
        except ValueError:
            continue
    return [ln for ln in lines if isinstance(ln, dict)], out.stderr, out.returncode


@dataclass
class LoggerResult(TaskResult):
    lines: list[dict] = field(default_factory=list)
    known: dict = field(default_factory=dict)


def judge_logger(lines: list[dict], known: dict) -> LoggerResult:
    """Done when the logger wrote a line per interval and its last lines carry the live heap, the
    goroutines and the stacks the known program had."""
    if len(lines) < 5:
        return LoggerResult(False, f"not done: the logger wrote {len(lines)} lines in the run (want one per interval)",
                            lines=lines, known=known)
    tail = lines[len(lines) // 2:]
    get = lambda k: statistics.median(ln.get(k, 0) or 0 for ln in tail)  # noqa: E731
    live, gor, stacks = get("live_heap"), get("goroutines"), get("stacks")
    want_live, want_g, want_s = known["live_heap"], known["num_goroutine"], known["stack_inuse"]
    # /gc/heap/live reads 1.05 x what the program keeps (its own few allocations besides); a number
    # that also counts garbage read 1.41-1.53 x on a quiet machine and 1.27 x under load.
    ok_live = 0.9 * want_live <= live <= 1.15 * want_live
    ok_g = want_g <= gor <= want_g + 32
    ok_s = 0.5 * want_s <= stacks <= 2 * want_s
    done = ok_live and ok_g and ok_s
    mark = lambda ok: "" if ok else " ✗"  # noqa: E731
    line = (f"{'done' if done else 'not done'}: {len(lines)} lines; live heap {live / MB:.1f} MB{mark(ok_live)} "
            f"(the program keeps {want_live / MB:.1f} MB live), goroutines {gor:,.0f}{mark(ok_g)} "
            f"(NumGoroutine {want_g}), stacks {stacks / 1e3:,.0f} kB{mark(ok_s)} (StackInuse {want_s / 1e3:,.0f} kB)")
    notes = []
    if not ok_live:
        notes.append("The live heap is off: " + ("nothing is read yet." if live == 0 else
                                                 "a heap number that also counts garbage reads above what is live; "
                                                 "the live heap is what the last GC marked."))
    if not ok_g:
        notes.append("The goroutine count is off: " + ("nothing is read yet." if gor == 0 else
                                                      f"it should be at least NumGoroutine ({want_g})."))
    if not ok_s:
        notes.append("The stacks are off: " + ("nothing is read yet." if stacks == 0 else
                                              "compare with StackInuse, the stacks' memory class."))
    if done and gor > want_g:
        notes.append(f"Your goroutine count is {gor - want_g:.0f} above NumGoroutine: `/sched/goroutines:goroutines` "
                     "also counts the runtime's own goroutines.")
    return LoggerResult(done, line, " ".join(notes), lines=lines, known=known)


@task("metrics_logger", package=TASK_PKG, files=("logger.go",))
def check_logger(duration: float = 2.0, **kw) -> LoggerResult:
    """Build tasks/metrics with your logger.go and run its known service (8 MiB live, 50 goroutines
    parked, much garbage); compare your logger's lines with what the program knows."""
    go = _go()
    work = Path(tempfile.mkdtemp(prefix="leaklab-logger-"))
    try:
        binary, msgs = _build_task(go, work)
        if binary is None:
            return LoggerResult(False, f"does not build: {msgs[0]}", "Go says:\n```\n" + "\n".join(msgs[:20]) + "\n```")
        lines, stderr, rc = _run_task(go, binary, "known", duration)
        m = re.search(r"^known: (\{.*\})$", stderr, re.M)
        if rc != 0 or not m:
            tail = "\n".join(stderr.strip().splitlines()[-12:])
            return LoggerResult(False, f"did not finish: the program exited with status {rc}", f"```\n{tail}\n```")
        return judge_logger(lines, json.loads(m[1]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def log_services(duration: float) -> dict[str, list[dict]]:
    """Run services 1, 2 and 3 of tasks/metrics with your logger (no probe: your logger is the
    instrument); the lines it wrote for each."""
    go = _go()
    work = Path(tempfile.mkdtemp(prefix="leaklab-services-"))
    try:
        binary, msgs = _build_task(go, work)
        if binary is None:
            raise LeakLabError(f"tasks/metrics does not build: {msgs[0]}")
        return {s: _run_task(go, binary, s, duration)[0] for s in ("1", "2", "3")}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def plot_services(logs: dict[str, list[dict]]):
    """Per service (column): the live heap and the goroutines your logger wrote."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import EngFormatter, MaxNLocator

    fig, axes = plt.subplots(2, len(logs), figsize=(12, 5.6), sharex=True, sharey="row", layout="constrained",
                             squeeze=False)
    for col, (name, lines) in enumerate(logs.items()):
        t = [ln.get("t", 0) for ln in lines]
        axes[0][col].plot(t, [ln.get("live_heap", 0) for ln in lines], color="#2471a3", lw=2)
        axes[1][col].plot(t, [ln.get("goroutines", 0) for ln in lines], color="#7d3c98", lw=2)
        axes[0][col].set_title(f"service {name}", loc="left", fontweight="bold")
        axes[1][col].set_xlabel("time since start (s)")
    axes[0][0].set_ylabel("live heap (your logger)")
    axes[1][0].set_ylabel("goroutines (your logger)")
    axes[0][0].yaxis.set_major_formatter(EngFormatter(unit="B"))
    axes[1][0].yaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in axes.flat:
        ax.grid(alpha=0.3)
    fig.suptitle("Three services, as your logger saw them", fontweight="bold")
    return fig


def show_services(logs: dict[str, list[dict]]) -> None:
    if not any(ln.get("live_heap") or ln.get("goroutines") for lines in logs.values() for ln in lines):
        print("your logger wrote no numbers yet (" + ", ".join(f"service {s}: {len(v)} lines" for s, v in logs.items())
              + "): finish the logger above, then run this cell again")
        return
    _show_figure(plot_services(logs))
    for s, lines in logs.items():
        first, last = lines[0], lines[-1]
        print(f"service {s}: {len(lines)} lines; live heap {first.get('live_heap', 0) / MB:.1f} → "
              f"{last.get('live_heap', 0) / MB:.1f} MB, goroutines {first.get('goroutines', 0):,} → "
              f"{last.get('goroutines', 0):,}")


@task("metrics_classify", package=SERVICES_PKG, answer=True)
def check_classify(answer) -> TaskResult:
    """Your label for each service ("heap leak", "goroutine leak" or "warm-up cache") against what
    each service of tasks/metrics/services does (the task ships their labels)."""
    from ..tasks import get
    truth = get("metrics_classify").solution_answer()
    if not isinstance(answer, dict) or not any(str(v).strip().lower() in LABELS for v in answer.values()):
        return TaskResult(False, "not done: no labels yet: give each service one of "
                          + ", ".join(f'"{x}"' for x in LABELS))
    given = {str(k): str(v).strip().lower() for k, v in answer.items()}
    right = [s for s in truth if given.get(s) == truth[s]]
    unknown = sorted({v for v in given.values() if v not in LABELS})
    done = len(right) == len(truth)
    line = (f"{'done' if done else 'not done'}: {len(right)} of {len(truth)} services labelled right"
            + ("" if done else f" (service{'s' * (len(truth) - len(right) > 1)} "
               + ", ".join(s for s in truth if s not in right) + " not yet)"))
    details = f"Not one of the labels: {', '.join(repr(u) for u in unknown)}." if unknown else ""
    return TaskResult(done, line, details)
