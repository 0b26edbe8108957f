"""Lab 14 (reading GODEBUG=gctrace=1): a real line taken apart, a run's cycles as a table and a
figure, what the run shows in numbers, and the task: three incident excerpts, each a heap leak,
a lowered GOGC or more load."""

from __future__ import annotations

import html
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from ..measure import Run, check as _check
from ..plot import COLORS
from ..samples import samples_dir
from ..supervise import together
from ..tasks import TaskResult, task
from ..verdict import theil_sen
from ..notebook import show_figure as _figure, show_markdown as _md

# --- showing things (IPython only when a notebook calls) ----------------------------------------


def overview(runs: list[Run]) -> str:
    """One line per run: the allocation rate and the GC cycles it caused."""
    out = []
    for r in runs:
        a, b = r.samples[0], r.samples[-1]
        rate = (b["alloc_bytes"] - a["alloc_bytes"]) / (b["t"] - a["t"]) / 1e6 if b["t"] > a["t"] else float("nan")
        out.append(f"{r.label}: allocated {rate:.1f} MB/s; {len(r.gctrace)} GC cycles in {r.wall_s:.1f} s, "
                   f"{sum(g['forced'] for g in r.gctrace)} of them forced")
    return "\n".join(out)


# --- one line, field by field -------------------------------------------------------------------

_LINE = re.compile(r"gc (\d+) @([\d.]+)s (\d+)%(?: \(checking for goroutine leaks\))?: ([\d.]+)\+([\d.]+)\+([\d.]+) ms clock, "
                   r"([\d.]+)\+([\d.]+)/([\d.]+)/([\d.]+)\+([\d.]+) ms cpu, (\d+)->(\d+)->(\d+) MB, "
                   r"(\d+) MB goal, (\d+) MB stacks, (\d+) MB globals, (\d+) P")


def raw_lines(run: Run) -> list[str]:
    """The gctrace lines a run wrote to standard error, as written (the run needs `keep=`)."""
    if run.artifacts is None or not (run.artifacts / "stderr").exists():
        raise ValueError(f"{run.label}: no kept stderr; run it with keep=FOLDER and gctrace=True")
    return [ln for ln in (run.artifacts / "stderr").read_text(errors="replace").splitlines() if ln.startswith("gc ")]


def _plain(line: str) -> bool:
    """A cycle the runtime started by itself: not forced, not the leak-profile's special cycle."""
    return "(forced)" not in line and "checking for goroutine leaks" not in line


def sample_line(run: Run) -> str:
    """A plain line (a cycle the runtime decided on) from the middle of the run."""
    plain = [ln for ln in raw_lines(run) if _plain(ln)]
    return plain[len(plain) // 2]


def fields(line: str) -> list[tuple[str, str, str]]:
    """The parts of one gctrace line: (text on the line, meaning, the runtime/metrics name)."""
    m = _LINE.match(line)
    if not m:
        raise ValueError(f"not a gctrace line of Go 1.27: {line!r}")
    f = m.groups()
    return [
        (f"gc {f[0]}", "the cycle's number, counted from the start", "/gc/cycles/total:gc-cycles"),
        (f"@{f[1]}s", "when the cycle started, seconds since the program started", ""),
        (f"{f[2]}%", "share of the CPU time available since start that went to GC, so far", "/cpu/classes/gc/total:cpu-seconds"),
        (f"{f[3]}+…", "wall clock: stop-the-world **sweep termination** (a pause)", "/sched/pauses/total/gc:seconds"),
        (f"…+{f[4]}+…", "wall clock: **concurrent mark and scan** (the program keeps running)", ""),
        (f"…+{f[5]} ms clock", "wall clock: stop-the-world **mark termination** (the second pause)", "/sched/pauses/total/gc:seconds"),
        (f"{f[6]}+{f[7]}/{f[8]}/{f[9]}+{f[10]} ms cpu",
         "CPU time: sweep termination + mark split into *assist* (done by allocating goroutines) / "
         "*background* workers / *idle* time + mark termination", "/cpu/classes/gc/…"),
        (f"{f[11]}->", "heap when the cycle started", ""),
        (f"->{f[12]}->", "heap when it ended (objects allocated during marking included)", ""),
        (f"->{f[13]} MB", "**live heap**: what marking found reachable", "/gc/heap/live:bytes"),
        (f"{f[14]} MB goal", "the heap size this cycle was aiming to finish by, set when the previous cycle ended",
         "/gc/heap/goal:bytes"),
        (f"{f[15]} MB stacks", "goroutine stacks the GC must scan", "/gc/scan/stack:bytes"),
        (f"{f[16]} MB globals", "global variables the GC must scan", "/gc/scan/globals:bytes"),
        (f"{f[17]} P", "processors (GOMAXPROCS) the cycle ran with", "/sched/gomaxprocs:threads"),
    ]


def endings(run: Run) -> list[str]:
    """The other kinds of line in the run (forced, leak-checking), one example each, shortened."""
    seen = {}
    for ln in raw_lines(run):
        if _plain(ln):
            continue
        kind = ("checking for goroutine leaks" in ln, "(forced)" in ln)
        seen.setdefault(kind, re.sub(r"^gc \d+ @[\d.]+s \d+%", "gc N @… N%", ln)[:64] + " … " + ln.split(" P")[-1].strip())
    return list(seen.values())


def show_line(run: Run) -> str:
    """Print one real line of the run, its parts as a table, and the other endings the run has."""
    line = sample_line(run)
    print(line)
    _md("| part | meaning | the same in runtime/metrics |\n|---|---|---|\n" + "\n".join(
        f"| `{p}` | {what} | {f'`{m}`' if m else ''} |" for p, what, m in fields(line)))
    other = endings(run)
    print("Other endings in this run:" if other else "No other endings in this run.", *other, sep="\n  ")
    return line


# --- the whole run ------------------------------------------------------------------------------

COLUMNS = ["n", "t", "gc_cpu_pct", "pause_ms", "concurrent_ms", "heap_before_mb", "heap_after_mb",
           "live_mb", "goal_mb", "stacks_mb", "forced"]


def natural(run: Run) -> list[dict]:
    """The cycles the runtime started by itself (`run.gctrace` rows, forced and leak-check ones left out)."""
    return [r for r in run.gctrace if not r["forced"] and not r["leak_check"]]


def table(rows: list[dict], columns: list[str] = COLUMNS) -> str:
    """Rows of `run.gctrace` as a markdown table."""
    head = "| " + " | ".join(columns) + " |\n|" + "---:|" * len(columns) + "\n"
    return head + "\n".join("| " + " | ".join(f"{r[c]:.3g}" if isinstance(r[c], float) else str(r[c])
                                              for c in columns) + " |" for r in rows)


def show_table(run: Run, first: int = 4, last: int = 4) -> None:
    """The first and last cycles of a run as a table, and the median goal / previous live heap."""
    rows = run.gctrace if len(run.gctrace) <= first + last else run.gctrace[:first] + run.gctrace[-last:]
    _md(table(rows))
    ratios = goal_ratios(run)
    print(f"{run.label}: goal of each cycle / live heap of the cycle before (live >= 2 MB): "
          + (f"median {statistics.median(ratios):.2f} over {len(ratios)} cycles" if ratios else
             "no cycle had 2 MB live yet (the 4 MB floor sets the goal)"))


def goal_ratios(run: Run, min_live_mb: int = 2) -> list[float]:
    """Each cycle's goal over the live heap of the cycle before (where that was >= min_live_mb)."""
    n = natural(run)
    return [b["goal_mb"] / a["live_mb"] for a, b in zip(n, n[1:]) if a["live_mb"] >= min_live_mb]


@dataclass
class Summary:
    """What one run's gctrace says, in numbers."""

    label: str
    cycles: int                 # natural cycles
    live: tuple[int, int]       # first, last natural cycle (MB)
    goal: tuple[int, int]
    live_slope: float           # MB/s (Theil-Sen)
    goal_slope: float
    gap_ms: tuple[float, float]  # mean time between cycles, first and last third
    pause_ms: tuple[float, float]  # median stop-the-world pause, first and second half
    mark_ms: tuple[float, float]   # median concurrent mark, first and second half
    gc_cpu_pct: int             # the last line's GC CPU share (since start)
    goal_ratio: float | None    # median goal / previous live (live >= 2 MB), None if no such cycle


def _gap_ms(ts: list[float]) -> float:
    """Mean time between consecutive cycles (ms)."""
    return (ts[-1] - ts[0]) / (len(ts) - 1) * 1e3 if len(ts) > 1 else float("nan")


def summarize(run: Run) -> Summary:
    """A run's natural cycles in a few numbers (see `Summary`)."""
    n = natural(run)
    if len(n) < 2:
        raise ValueError(f"{run.label}: {len(n)} natural GC cycles, too few to read")
    t = [r["t"] for r in n]
    third, half = max(1, len(n) // 3), len(n) // 2
    med = lambda rows, k: statistics.median(r[k] for r in rows)  # noqa: E731
    ratios = goal_ratios(run)
    return Summary(run.label, len(n), (n[0]["live_mb"], n[-1]["live_mb"]), (n[0]["goal_mb"], n[-1]["goal_mb"]),
                   theil_sen(t, [r["live_mb"] for r in n]), theil_sen(t, [r["goal_mb"] for r in n]),
                   (_gap_ms(t[:third + 1]), _gap_ms(t[-third - 1:])),
                   (med(n[:half] or n, "pause_ms"), med(n[half:], "pause_ms")),
                   (med(n[:half] or n, "concurrent_ms"), med(n[half:], "concurrent_ms")),
                   n[-1]["gc_cpu_pct"], statistics.median(ratios) if ratios else None)


def figure(runs: list[Run], title: str = "gctrace, leaky vs fixed"):
    """Three rows per run: live heap, goal and heap at GC start (MB); pauses and concurrent mark
    (ms, log); time between cycles. Forced cycles are hollow markers in the pause row."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    fig, axes = plt.subplots(3, len(runs), figsize=(5.5 * len(runs), 8.4), sharex=True, sharey="row",
                             squeeze=False, layout="constrained")
    for col, run in enumerate(runs):
        c = COLORS.get(run.label, "#2471a3")
        n = natural(run)
        t = [r["t"] for r in n]
        ax = axes[0][col]
        ax.step(t, [r["goal_mb"] for r in n], where="pre", color="0.35", ls="--", lw=1.2, label="goal")
        ax.plot(t, [r["heap_before_mb"] for r in n], "x", color=c, ms=4, alpha=0.6, label="heap at GC start")
        ax.plot(t, [r["live_mb"] for r in n], "o-", color=c, lw=2.2, ms=3.5, label="live heap (marked)")
        ax.set_title(run.label, color=c, loc="left", fontweight="bold")
        ax.set_title(run.verdict.verdict.upper(), loc="right", fontweight="bold",
                     color=COLORS["leaky"] if run.verdict.leak else COLORS["fixed"])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax2 = axes[1][col]
        for r in run.gctrace:
            hollow = r["forced"] or r["leak_check"]
            ax2.plot([r["t"]], [max(r["pause_ms"], 1e-3)], "o", color=c, ms=4, mfc="white" if hollow else c)
            ax2.plot([r["t"]], [max(r["concurrent_ms"], 1e-3)], "s", color="0.45", ms=3.5,
                     mfc="white" if hollow else "0.45")
        ax2.set_yscale("log")
        ax3 = axes[2][col]
        ax3.plot(t[1:], [(b - a) * 1e3 for a, b in zip(t, t[1:])], "o-", color=c, lw=1.5, ms=3.5)
        ax3.set_ylim(bottom=0)
        ax3.set_xlabel("time since start (s)")
        for a in (ax, ax2, ax3):
            a.grid(alpha=0.3)
    axes[0][0].set_ylabel("MB (gctrace)")
    axes[1][0].set_ylabel("ms per cycle (log)")
    axes[2][0].set_ylabel("ms since previous cycle")
    handles = axes[0][0].get_legend_handles_labels()[0]
    handles += [axes[1][0].plot([], [], "o", color="k")[0], axes[1][0].plot([], [], "s", color="0.45")[0],
                axes[1][0].plot([], [], "o", color="k", mfc="white")[0]]
    labels = ["goal", "heap at GC start", "live heap (marked)", "stop-the-world pauses (sum of 2)",
              "concurrent mark", "forced cycle (hollow)"]
    fig.legend(handles, labels, loc="outside lower center", ncols=6, fontsize=8, frameon=False)
    fig.suptitle(title, fontweight="bold")
    return fig


def show_figure(runs: list[Run], title: str = "gctrace, leaky vs fixed") -> None:
    _figure(figure(runs, title))


def show_findings(runs: list[Run]) -> None:
    _md(findings(runs))


def _fmt(x: float) -> str:
    return f"{x:.2g}" if x < 1 else f"{x:.0f}"


def _pause_note(lk: Summary, fx: Summary) -> str:
    """Say so when this run's pauses or mark times do not read as the mechanism says."""
    notes = []
    moved = lambda p: max(p) / min(p) if min(p) > 0 else float("inf")  # noqa: E731
    if moved(lk.pause_ms) >= 1.5:
        notes.append(f"the leaky run's median pause moved by ×{moved(lk.pause_ms):.1f} and the fixed run's by "
                     f"×{moved(fx.pause_ms):.1f}: pauses of a fraction of a millisecond are noisy on a shared "
                     "machine, so compare the two runs rather than read one")
    if lk.mark_ms[1] <= lk.mark_ms[0]:
        notes.append("the leaky run's mark time did not grow: too little live heap in this run for marking to "
                     "take measurably longer")
    return (" Note: " + "; ".join(notes) + ".") if notes else ""


def findings(runs: list[Run]) -> str:
    """What the leaky and fixed runs' gctrace show, as markdown built from their numbers: live heap
    and goal, spacing of cycles, pauses vs concurrent mark, GC CPU. Says when a run has too few
    cycles to read a trend from."""
    by = {r.label: r for r in runs}
    lk, fx = summarize(by["leaky"]), summarize(by["fixed"])
    out = []
    grew = lk.live[1] - lk.live[0]
    ratio = f"; each goal was a median {lk.goal_ratio:.2f}× the live heap of the cycle before" if lk.goal_ratio else ""
    out.append(f"- **Live heap and goal (leaky).** Over {lk.cycles} cycles the live heap went from {lk.live[0]} to "
               f"{lk.live[1]} MB ({lk.live_slope:+.1f} MB/s) and the goal from {lk.goal[0]} to {lk.goal[1]} MB "
               f"({lk.goal_slope:+.1f} MB/s){ratio}." + ("" if grew > 0 else " It did not climb in this run: "
                                                          "too short to read."))
    out.append(f"- **Fixed.** Live heap {fx.live[0]} → {fx.live[1]} MB, goal {fx.goal[0]} → {fx.goal[1]} MB over "
               f"{fx.cycles} cycles ({fx.live_slope:+.1f} MB/s).")
    few = min(lk.cycles, fx.cycles) < 12
    spread = lk.gap_ms[1] / lk.gap_ms[0] if lk.gap_ms[0] > 0 else float("nan")
    out.append(f"- **Spacing.** Time between the leaky run's cycles: {lk.gap_ms[0]:.0f} ms in the first third, "
               f"{lk.gap_ms[1]:.0f} ms in the last (×{spread:.1f}); fixed: {fx.gap_ms[0]:.0f} → {fx.gap_ms[1]:.0f} ms."
               + (f" With {lk.cycles} cycles, a third is {max(1, lk.cycles // 3)} gaps: too few to call a trend "
                  "(a classroom run has more)." if few else ""))
    out.append(f"- **Pauses vs marking.** Median stop-the-world pause, first half → second half: leaky "
               f"{_fmt(lk.pause_ms[0])} → {_fmt(lk.pause_ms[1])} ms, fixed {_fmt(fx.pause_ms[0])} → "
               f"{_fmt(fx.pause_ms[1])} ms. Median concurrent mark: leaky {_fmt(lk.mark_ms[0])} → "
               f"{_fmt(lk.mark_ms[1])} ms, fixed {_fmt(fx.mark_ms[0])} → {_fmt(fx.mark_ms[1])} ms."
               + _pause_note(lk, fx))
    out.append(f"- **GC CPU** on the last line (share since start, whole percents): leaky {lk.gc_cpu_pct} %, "
               f"fixed {fx.gc_cpu_pct} %.")
    real = by["fixed"].final["heap_live"] / 1e6 if by["fixed"].final else float("nan")
    out.append(f"- **Whole megabytes.** The fixed run's last cycle printed {fx.live[1]} MB live; runtime/metrics "
               f"measured {real:.2f} MB at the end.")
    return "\n".join(out)


# --- a goroutine leak in gctrace ----------------------------------------------------------------

def stacks_figure(runs: list[Run], title: str):
    """Per run: gctrace's MB stacks and live heap per cycle next to the stack memory held (runtime/metrics)."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(runs), figsize=(5.5 * len(runs), 3.6), sharey=True, squeeze=False,
                             layout="constrained")
    for ax, run in zip(axes[0], runs):
        c = COLORS.get(run.label, "#2471a3")
        t = [r["t"] for r in run.gctrace]
        ax.step(t, [r["stacks_mb"] for r in run.gctrace], where="post", color=c, lw=2.2, label="MB stacks (gctrace)")
        ax.step(t, [r["live_mb"] for r in run.gctrace], where="post", color=c, lw=1, ls="--",
                label="MB live heap (gctrace)")
        ax.plot([s["t"] for s in run.samples], [s["stack_bytes"] / 2**20 for s in run.samples], color="0.4", lw=1,
                ls=":", label="stack memory held (runtime/metrics)")
        ax.set_title(run.label, color=c, loc="left", fontweight="bold")
        ax.set_title(run.verdict.verdict.upper(), loc="right", fontweight="bold",
                     color=COLORS["leaky"] if run.verdict.leak else COLORS["fixed"])
        ax.set_xlabel("time since start (s)")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("MiB (2^20 bytes)")
    axes[0][0].set_ylim(bottom=0)
    fig.legend(*axes[0][0].get_legend_handles_labels(), loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    fig.suptitle(title, fontweight="bold", fontsize=11)
    return fig


def show_stacks(runs: list[Run], gc_every_ms: int, title: str) -> None:
    """The stacks figure and what it says in numbers."""
    _figure(stacks_figure(runs, title))
    _md(stacks_findings(runs, gc_every_ms))


def stacks_findings(runs: list[Run], gc_every_ms: int) -> str:
    """What gctrace's stacks and live fields said about a goroutine leak, in numbers."""
    lines = [f"The probe forced a GC whenever none ran for {gc_every_ms} ms."]
    for run in runs:
        last = run.gctrace[-1]
        g = run.final["goroutines"]
        lines.append(f"- **{run.label}:** {g:,} goroutine{'s' * (g != 1)} at the end; "
                     f"{sum(g['forced'] for g in run.gctrace)} of {len(run.gctrace)} cycles forced; last cycle: "
                     f"{last['stacks_mb']} MB stacks, {last['live_mb']} MB live heap; stack memory held "
                     f"(runtime/metrics): {run.final['stack_bytes'] / 2**20:.1f} MiB.")
    leaky = next(r for r in runs if r.label == "leaky")
    n = leaky.final["goroutines"]
    bound = (leaky.gctrace[-1]["stacks_mb"] + 1) * 2**20 / n
    lines.append(f"- The stacks field rounds down to whole MB (2^20 bytes): with {n:,} goroutines, the GC "
                 f"scanned less than {bound:,.0f} B of stack per goroutine, while each holds "
                 f"{leaky.final['stack_bytes'] / n:,.0f} B on average.")
    return "\n".join(lines)


# --- the task: three incident excerpts -----------------------------------------------------------

KINDS = ("leak", "gogc", "load")
PACKAGE = "tasks/gctrace_incident"
# The three instances of the service that paged: arguments and environment. Their letters are
# the task's; which is which is the answer (kept in testdata/solution.json as well).
INSTANCES = {
    "A": ("load", ["-rate", "400", "-rate-after", "1200", "-after", "0.5"], {}),
    "B": ("leak", ["-rate", "400", "-history", "8192"], {}),
    "C": ("gogc", ["-rate", "400"], {"GOGC": "25"}),
}


@dataclass
class Excerpt:
    """One instance's gctrace: the lines shown (two windows) and what they measure."""

    letter: str
    run: Run
    early: list[str]
    late: list[str]
    rows: list[dict] = field(default_factory=list)  # parsed plain lines of the whole run

    def text(self) -> str:
        return "\n".join(self.early + ["…"] + self.late)

    def evidence(self) -> dict:
        """Cycles per second, median live heap and goal ÷ previous live, in each window."""
        from ..collect import parse_gctrace
        out = {}
        for name, lines in (("early", self.early), ("late", self.late)):
            rows = parse_gctrace("\n".join(lines))
            span = rows[-1]["t"] - rows[0]["t"]
            ratios = [b["goal_mb"] / a["live_mb"] for a, b in zip(rows, rows[1:]) if a["live_mb"] > 0]
            out[name] = {"cycles_per_s": (rows[-1]["n"] - rows[0]["n"]) / span if span > 0 else float("nan"),
                         "live_mb": statistics.median(r["live_mb"] for r in rows),
                         "goal_ratio": statistics.median(ratios) if ratios else float("nan")}
        return out


def excerpt(letter: str, run: Run, duration: float, lines: int = 5) -> Excerpt:
    """Two windows of plain lines of a program that served for `duration` s: the first lines from
    15 % of the run on, and the last lines before it stopped serving."""
    plain = [ln for ln in raw_lines(run) if _plain(ln) and _LINE.match(ln)
             and float(_LINE.match(ln).group(2)) < duration]
    start = next((i for i, ln in enumerate(plain) if float(_LINE.match(ln).group(2)) >= 0.15 * duration), len(plain))
    if len(plain) - start < 2 * lines:
        raise ValueError(f"instance {letter}: {len(plain)} GC cycles, too few for two windows of {lines}")
    return Excerpt(letter, run, plain[start:start + lines], plain[-lines:], natural(run))


def incident(duration: float, keep: str | Path, lines: int = 6) -> list[Excerpt]:
    """Run the three instances at once with gctrace on (no forced GCs) and cut their excerpts."""
    def one(letter):
        _, args, env = INSTANCES[letter]
        return _check(samples_dir() / PACKAGE, args=[*args, "-duration", f"{duration:g}s"], duration=duration + 8,
                      label=letter, gc_every_ms=0, env=env, gctrace=True, keep=Path(keep) / f"incident-{letter}")
    runs = together([lambda x=x: one(x) for x in INSTANCES])
    return [excerpt(letter, run, duration, lines) for letter, run in zip(INSTANCES, runs)]


def show_incident(excerpts: list[Excerpt]) -> None:
    """Each instance's excerpt as the on-call got it."""
    from IPython.display import HTML, display
    for e in excerpts:
        display(HTML(f"<p><b>Instance {e.letter}</b></p><pre style=\"white-space:pre;overflow-x:auto\">"
                     f"{html.escape(e.text())}</pre>"))


def _normal(v) -> str:
    return str(v or "").strip().lower()


@task("gctrace_incident", package=PACKAGE, answer=True)
def check_incident(answer, excerpts: list[Excerpt] | None = None) -> TaskResult:
    """Compare the learner's {letter: "leak"|"gogc"|"load"} with what each instance ran."""
    answer = answer if isinstance(answer, dict) else {}
    given = {k: _normal(answer.get(k)) for k in INSTANCES}
    bad = [k for k, v in given.items() if v and v not in KINDS]
    if not any(given.values()) or bad:
        what = f"{', '.join(bad)}: not one of {', '.join(KINDS)}" if bad else "nothing answered yet"
        return TaskResult(False, f"0 of {len(INSTANCES)} right ({what}): fill in "
                                 f"{' / '.join(repr(k) for k in KINDS)} for {', '.join(INSTANCES)}")
    right = {k: given[k] == INSTANCES[k][0] for k in INSTANCES}
    marks = ", ".join(f"{k} {given[k] or '?'} {'✓' if right[k] else '✗'}" for k in INSTANCES)
    details = ""
    if excerpts:
        rows = ["| instance | your answer | cycles/s early → late | live MB early → late | goal ÷ live early → late |",
                "|---|---|---|---|---|"]
        for e in excerpts:
            ev = e.evidence()
            rows.append(f"| {e.letter} | {given.get(e.letter) or '?'} {'✓' if right.get(e.letter) else '✗'} | "
                        f"{ev['early']['cycles_per_s']:.1f} → {ev['late']['cycles_per_s']:.1f} | "
                        f"{ev['early']['live_mb']:g} → {ev['late']['live_mb']:g} | "
                        f"{ev['early']['goal_ratio']:.2f} → {ev['late']['goal_ratio']:.2f} |")
        details = "What the excerpts measure (read from their lines):\n\n" + "\n".join(rows)
    n = sum(right.values())
    return TaskResult(n == len(INSTANCES), f"{n} of {len(INSTANCES)} right: {marks}", details)
