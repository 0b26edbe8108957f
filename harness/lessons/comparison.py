"""Lab 22, every detection method side by side: one set of runs per leaky/fixed pair, each method
judged on its own evidence (with what it measured, and "below threshold" or "too little data"
where a run is too short to say "missed"), the tests, the probe's cost from the lab's benchmark (`benchmarks.bench`), the
matrix and its figure, and the task (tasks/comparison_leak: fill in the matrix for a leak not seen
before; the check runs the methods on it)."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..collect import pprof_top
from ..measure import Run, check
from ..samples import run_sample, samples_dir
from ..tasks import TaskResult, task
from ..toolchain import go_for
from ..verdict import Thresholds, decide
from ..notebook import show_markdown as _md
from . import leaktests

G, H = "goroutine leak", "heap leak"
METHODS = ("goroutine count trend", "live-heap trend", "goroutineleak profile", "goroutine profile by site",
           "pprof heap diff", "gctrace")
MB = 1e6
HEAPDIFF_MIN = 1e6        # a top site gaining this much between the two heap profiles is a leak
GCTRACE_MIN_MB = 2        # live heap or stacks up this much (gctrace prints whole MB)
CAUGHT, MISSED, FALSE, BELOW, LITTLE = "caught", "missed", "false alarm", "below threshold", "too little data"


@dataclass
class Finding:
    """What one method saw in one run: whether it says "leak", what it measured (for people),
    when it could first have said so (s since start), and, when it did not say so although the
    run was too short to be sure, why (BELOW or LITTLE)."""

    hit: bool
    measured: str
    when: float | None = None
    weak: str = ""


def _trend(run: Run, metric: str, samples: list[dict] | None = None):
    v = decide(samples if samples is not None else run.samples, [], "deadline")
    return v.goroutines if metric == "goroutines" else v.heap


def _gc_cycles(run: Run) -> int:
    return run.samples[-1]["gc_cycles"] - run.samples[0]["gc_cycles"] if run.samples else 0


def trend_finding(run: Run, metric: str) -> Finding:
    """The harness's growth test on one metric alone, at the end and on every prefix of the run."""
    first = None
    for k in range(Thresholds().min_points, len(run.samples) + 1):
        tr = _trend(run, metric, run.samples[:k])
        if tr and tr.growing:
            first = run.samples[k - 1]["t"]
            break
    tr = _trend(run, metric)
    if tr is None:
        return Finding(False, "no series", weak=LITTLE)
    if metric == "goroutines":
        measured = f"{tr.growth:+,.0f} goroutines over the window (z = {tr.z:.1f})"
    else:
        measured = f"{tr.growth / MB:+,.1f} MB live over the window (z = {tr.z:.1f}, {_gc_cycles(run)} GC cycles)"
    if tr.growing:
        return Finding(True, measured, first)
    if metric == "heap_live" and tr.points < Thresholds().min_points:
        return Finding(False, measured, weak=LITTLE)
    if tr.z >= Thresholds().z and tr.growth > 0:
        return Finding(False, measured, weak=BELOW)
    return Finding(False, measured)


def leakprofile_finding(run: Run) -> Finding:
    """The goroutineleak profile at the end: goroutines proven blocked forever."""
    proven = [s for s in run.sites if s.proven]
    if proven:
        return Finding(True, f"{sum(s.count for s in proven):,} proven at `{proven[0].function}` ({proven[0].location})")
    suspects = sum(s.count for s in run.sites)
    return Finding(False, "0 proven" + (f", {suspects:,} blocked but not proven" if suspects else ""))


def site_finding(run: Run) -> Finding:
    """Goroutine profiles over time: a stack whose count rose in 3 snapshots in a row, and overall."""
    series = run.goroutine_series
    if len(series) < 4:
        return Finding(False, f"{len(series)} snapshots", weak=LITTLE)
    sites = set().union(*(c for _, c in series))
    best, grew, first = None, 0, None
    for site in sites:
        if _is_probe(site):
            continue
        counts = [c.get(site, 0) for _, c in series]
        rose = [i for i in range(3, len(counts)) if all(counts[j] > counts[j - 1] for j in range(i - 2, i + 1))]
        if rose and counts[-1] - counts[0] > grew:
            best, grew, first = site, counts[-1] - counts[0], series[rose[0]][0]
    if best is None:
        return Finding(False, f"no stack rose in {len(series)} snapshots")
    return Finding(True, f"{grew:+,} at `{best}`", first)


def _is_probe(site: str) -> bool:
    """The lab's probe's own stacks (main.leaklabGo, ...; not goleaklab/...): never shown, never judged."""
    return re.search(r"(?<![A-Za-z0-9_])leaklab", site) is not None


def heapdiff_finding(run: Run) -> Finding:
    """`pprof -diff_base` between the early and the late heap profile: bytes gained by the top site."""
    profiles = sorted(run.artifacts.glob("heap-*.pb.gz"), key=lambda p: int(p.stem.split("-")[1].split(".")[0])) \
        if run.artifacts else []
    if len(profiles) < 2:
        return Finding(False, f"{len(profiles)} heap profiles", weak=LITTLE)
    rows = pprof_top(go_for(None), profiles[-1], "inuse_space", diff_base=profiles[0], nodecount=5)
    top = max(rows, key=lambda r: r["flat"], default=None)
    gained = top["flat"] if top else 0.0
    measured = f"top site {gained / MB:+.1f} MB" + (f" at `{top['function']}`" if top and gained > 0 else "")
    if gained >= HEAPDIFF_MIN:
        return Finding(True, measured)
    return Finding(False, measured, weak=BELOW if gained >= 0.1 * HEAPDIFF_MIN else "")


def gctrace_finding(run: Run) -> Finding:
    """GODEBUG=gctrace=1 read as a person would: live heap and stack MB, the last third of the
    cycles against the first third (medians), so a cache that fills once does not count."""
    rows = run.gctrace
    if len(rows) < 6:
        return Finding(False, f"{len(rows)} GC cycles", weak=LITTLE)
    k = len(rows) // 3
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    live = med([x["live_mb"] for x in rows[-k:]]) - med([x["live_mb"] for x in rows[:k]])
    stacks = med([x["stacks_mb"] for x in rows[-k:]]) - med([x["stacks_mb"] for x in rows[:k]])
    measured = f"live {live:+g} MB, stacks {stacks:+g} MB over {len(rows)} cycles"
    if live >= GCTRACE_MIN_MB or stacks >= GCTRACE_MIN_MB:
        return Finding(True, measured)
    return Finding(False, measured, weak=BELOW if live > 0 or stacks > 0 else "")


FINDERS = {
    "goroutine count trend": lambda r: trend_finding(r, "goroutines"),
    "live-heap trend": lambda r: trend_finding(r, "heap_live"),
    "goroutineleak profile": leakprofile_finding,
    "goroutine profile by site": site_finding,
    "pprof heap diff": heapdiff_finding,
    "gctrace": gctrace_finding,
}


def status(leaky: Finding, fixed: Finding | None = None) -> str:
    if fixed is not None and fixed.hit:
        return FALSE
    if leaky.hit:
        return CAUGHT
    return leaky.weak or MISSED


# --- the runs ------------------------------------------------------------------------------------

def snapshots(seconds: float) -> dict:
    """Goroutine profiles every 250 ms, and two heap profiles: the early one after the warm-up
    (at 40% of the run: the fixed program's bounded window of pages has filled by then, so the
    diff is growth, not the fill), the late one just before the end."""
    return dict(goroutines_every=0.25, heap_at=[max(0.5, 0.4 * seconds), seconds - 0.3])


def run_pairs(run_g: float, run_h: float, keep: Path) -> dict[str, list[Run]]:
    """The two leaky/fixed pairs, each run with every kind of evidence collected at once."""
    from ..notebook import side_by_side
    return {
        G: side_by_side(lambda v: run_sample("goroutine_channel", v, run_g, keep=keep / f"channel-{v}", gctrace=True,
                                             **snapshots(run_g)), ("leaky", "fixed")),
        H: side_by_side(lambda v: check(samples_dir() / "toolkit/heapleak", args=["-variant", v, "-duration", f"{run_h:g}s",
                                                                                "-rate", "400"],
                                        duration=run_h + 8, label=v, keep=keep / f"heapleak-{v}", gctrace=True,
                                        **snapshots(run_h)), ("leaky", "fixed")),
    }


# Methods that see a leak once it has grown past a threshold: a short run that shows nothing from
# them has not shown that they miss it (a goroutine leak's heap grows too, slowly).
THRESHOLD_METHODS = ("live-heap trend", "pprof heap diff", "gctrace")


def judge_all(pairs: dict[str, list[Run]], short: bool = False) -> dict[tuple[str, str], tuple[Finding, Finding]]:
    """Every method on every pair. `short` (quick mode): a threshold method that saw nothing on the
    leaky run reads "too little data", not "missed"."""
    out = {}
    for pair, (leaky, fixed) in pairs.items():
        for m in METHODS:
            lk, fx = FINDERS[m](leaky), FINDERS[m](fixed)
            if short and m in THRESHOLD_METHODS and not lk.hit and not lk.weak:
                lk = Finding(False, lk.measured + " (a short run)", weak=LITTLE)
            out[(m, pair)] = (lk, fx)
    return out


def evidence_table(results: dict[tuple[str, str], tuple[Finding, Finding]]) -> str:
    rows = ["| method | leak | verdict | what it measured on leaky | on fixed | could say so at |", "|---|---|---|---|---|---|"]
    for (m, pair), (lk, fx) in results.items():
        when = f"{lk.when:.2f} s" if lk.when is not None and lk.hit else "—"
        rows.append(f"| {m} | {pair} | **{status(lk, fx)}** | {lk.measured} | {fx.measured} | {when} |")
    return "\n".join(rows)


def show_evidence(results: dict[tuple[str, str], tuple[Finding, Finding]]) -> None:
    _md(evidence_table(results))


# --- the tests -----------------------------------------------------------------------------------

@dataclass
class TestFinding:
    failed_on_leaky: bool
    failed_on_fixed: bool | None   # None: no fixed run (the heap leak's tests document a miss)
    slowest_s: float


def test_findings() -> dict[str, dict[str, TestFinding]]:
    """goleak and synctest on each pair: lab 18's packages for the goroutine leak; for the heap
    leak, toolkit/heapleak's tests that run the leaky code and pass (they document the miss)."""
    def f(leaky, fixed=None):
        return TestFinding(any(w == "FAIL" for w, _ in leaky.outcomes.values()),
                           None if fixed is None else any(w == "FAIL" for w, _ in fixed.outcomes.values()),
                           max((s for _, s in leaky.outcomes.values()), default=0.0))
    gt = leaktests.go_test
    return {
        "goleak": {G: f(gt("toolkit/leaktests/leaky", True, "TestFirstGoleak|TestSumGoleak"),
                        gt("toolkit/leaktests/fixed", False, "TestFirstGoleak|TestSumGoleak")),
                   H: f(gt("toolkit/heapleak", False, "TestGoleakCannotSeeAHeapLeak"))},
        "synctest": {G: f(gt("toolkit/leaktests/leaky", True, "TestSynctest"), gt("toolkit/leaktests/fixed", False, "TestSynctest")),
                     H: f(gt("toolkit/heapleak", False, "TestSynctestCannotSeeAHeapLeak"))},
    }


def test_lines(tests: dict[str, dict[str, TestFinding]]) -> list[str]:
    out = []
    for method, by in tests.items():
        for pair, t in by.items():
            out.append(f"{method}: {pair}: the leaky code's test {'FAILED (caught)' if t.failed_on_leaky else 'passed (missed)'}"
                       + ("" if t.failed_on_fixed is None else
                          f", the fixed code's {'FAILED (false alarm)' if t.failed_on_fixed else 'passed'}")
                       + f"; slowest test {t.slowest_s:.2f} s")
    return out


# --- what the probe costs (benchmarks.bench) -----------------------------------------------------

@dataclass
class ProbeCost:
    rows: list[dict]
    repeat: int
    target: float = 1.02  # the benchmark's overhead target (benchmarks.bench.TARGET)

    def worst(self, key: str) -> float:
        return max(float(r[key]) for r in self.rows if isinstance(r[key], (int, float)))

    @property
    def judged(self) -> bool:
        """Enough rounds for a 95 % interval (bench gives none below 5)."""
        return self.repeat >= 5

    def lines(self) -> list[str]:
        out = [f"{'program':9} {'bare wall':>10} {'wall ×':>7} {'CPU ×':>7}  CPU × 95 % interval"]
        for r in self.rows:
            out.append(f"{r['program']:9} {r['bare_wall_s']:>9.3f}s {r['wall_ratio']:>7.3f} {r['cpu_ratio']:>7.3f}  "
                       f"{r['cpu_ratio_ci95']}")
        if self.judged:
            out.append(f"worst program: ×{self.worst('cpu_ratio'):.3f} CPU, ×{self.worst('wall_ratio'):.3f} wall "
                       f"(median of {self.repeat} rounds; against the target ≤ {self.target}, wall/CPU: "
                       + ", ".join(f"{r['program']} {r[f'wall/cpu_vs_{self.target}']}" for r in self.rows) + ")")
        else:
            out.append(f"{self.repeat} short round(s) per program: too noisy to judge the probe's cost (a ratio below 1 "
                       "is noise, not a faster program); quick=False runs 5 rounds with 95 % intervals")
        out.append(f"end capture {self.worst('end_capture_s'):.3f} s; one runtime/metrics read "
                   f"{self.worst('metrics_read_us'):.0f} µs (the slowest program's)")
        return out

    def text(self) -> str:
        """For the matrix's cost column."""
        if self.judged:
            return f"probe: ×{self.worst('cpu_ratio'):.2f} CPU, ×{self.worst('wall_ratio'):.2f} wall (worst program, median of {self.repeat})"
        return "probe: not judged in a quick run (too noisy)"


def probe_cost(quick: bool) -> ProbeCost:
    """The lab's own overhead benchmark (`benchmarks.bench.overhead`, what `python -m benchmarks
    overhead` runs) on the bare and the probed arm: one short round per program in quick mode, five
    otherwise."""
    from benchmarks import bench
    repeat = 1 if quick else 5
    return ProbeCost(bench.overhead(repeat=repeat, work=0.25 if quick else 1.0, arms=("bare", "probe")), repeat,
                     bench.TARGET)


# --- the matrix ----------------------------------------------------------------------------------

def matrix_rows(results, tests, cost: ProbeCost, run_h: float, ebpf_ok: bool, ebpf_why: str) -> list[list[str]]:
    """method, goroutine status, detail, heap status, detail, time to verdict, cost, code change, where."""
    def st(m, pair):
        return status(*results[(m, pair)])

    def det(m, pair):
        lk, _ = results[(m, pair)]
        return lk.measured if st(m, pair) != MISSED or "proven" in lk.measured else ""

    def when(m, pair):
        lk, _ = results[(m, pair)]
        return f"{lk.when:.2f} s" if lk.hit and lk.when is not None else "—"

    probe = cost.text()
    metrics = f"a `runtime/metrics` read ({cost.worst('metrics_read_us'):.0f} µs), no stop-the-world"
    rows = [
        ["goroutine count trend", st(METHODS[0], G), det(METHODS[0], G), st(METHODS[0], H), det(METHODS[0], H),
         when(METHODS[0], G), f"{probe}; {metrics}", "a reader of `runtime/metrics`: the lab's probe (rebuild only) or a watchdog", "production"],
        ["live-heap trend", st(METHODS[1], G), det(METHODS[1], G), st(METHODS[1], H), det(METHODS[1], H),
         when(METHODS[1], H), f"{probe}; only as fresh as the last GC", "a reader of `runtime/metrics`: the lab's probe (rebuild only) or a watchdog", "production"],
        ["goroutineleak profile (Go 1.27)", st(METHODS[2], G), det(METHODS[2], G), st(METHODS[2], H), det(METHODS[2], H),
         "one shot, when asked (here: at exit)", f"a GC cycle + dump; end capture {cost.worst('end_capture_s'):.3f} s (bench)",
         "one import: `net/http/pprof` (`/debug/pprof/goroutineleak`)", "production"],
        ["goroutine profile by site, over time", st(METHODS[3], G), det(METHODS[3], G), st(METHODS[3], H), det(METHODS[3], H),
         when(METHODS[3], G), "one profile per snapshot (stops the world briefly)", "one import: `net/http/pprof`", "production"],
        ["pprof heap diff (`-diff_base`)", st(METHODS[4], G), det(METHODS[4], G), st(METHODS[4], H), det(METHODS[4], H),
         f"two profiles apart (here {run_h - 0.8:g} s)", "heap profiling is on by default (sampled)", "one import: `net/http/pprof`", "production"],
        ["`GODEBUG=gctrace=1`", st(METHODS[5], G), det(METHODS[5], G), st(METHODS[5], H), det(METHODS[5], H),
         "a few GC cycles", "one line per GC on stderr", "none: an environment variable (restart)", "production"],
    ]
    for method, by in tests.items():
        g, h = by[G], by[H]
        gs = FALSE if g.failed_on_fixed else (CAUGHT if g.failed_on_leaky else MISSED)
        rows.append([method, gs, "", CAUGHT if h.failed_on_leaky else MISSED, "", f"{g.slowest_s:.2f} s per failing test",
                     "test time only" + (" (goleak retries before it reports)" if method == "goleak" else " (fake clock)"),
                     "a test per code path", "tests"])
    rows.append(["execution trace (`go tool trace`)", "caught in lab 19", "created vs ended per start function",
                 "not measured", "", "after the trace is read", "bytes per scheduling event, slow to read (lab 19)",
                 "one import (`/debug/pprof/trace`), or `go test -trace`", "production, seconds at a time"])
    rows.append(["eBPF uprobes", "caught in lab 20", "newproc1 vs goexit1", "missed in lab 20",
                 "counts calls, not what is kept" + ("" if ebpf_ok else f" (lab 20 shows a recorded run here: {ebpf_why})"),
                 "one interval", "µs per probe hit (lab 20)", "none at all (root, Linux)", "production"])
    rows.append(["watchdog (`go_samples/watchdog`)", "caught in lab 21", "names the site", "caught in lab 21",
                 "its task: a heap alert once the window holds enough GC cycles", "≈ one window + confirmations (lab 21)",
                 "µs per sample (lab 21)", "yes: one import, one `Start`", "production"])
    return rows


def _cell(st: str, detail: str) -> str:
    word = {CAUGHT: "**caught**", FALSE: "**false alarm on fixed**"}.get(st, st)
    return f"{word}: {detail}" if detail else word


def matrix_markdown(rows: list[list[str]]) -> str:
    head = ["method", "goroutine leak (goroutine_channel)", "heap leak (heapleak)", "time to verdict", "cost",
            "code change", "where"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for m, gs, gd, hs, hd, when, cost, change, where in rows:
        lines.append("| " + " | ".join([m, _cell(gs, gd), _cell(hs, hd), when, cost, change, where]) + " |")
    return "\n".join(lines)


def caught_both(rows: list[list[str]]) -> list[str]:
    """Methods that caught both leaks in this notebook's runs (not in an earlier lab)."""
    return [r[0].replace("`", "") for r in rows if r[1] == CAUGHT and r[3] == CAUGHT]


def inconclusive(rows: list[list[str]]) -> list[str]:
    return [f"{r[0].replace('`', '')} ({which})" for r in rows for which, st in ((G, r[1]), (H, r[3]))
            if st in (BELOW, LITTLE)]


COLOURS = {CAUGHT: "#2e8b57", FALSE: "#e67e22", MISSED: "#c0392b", BELOW: "#f0c987", LITTLE: "#d5d5d5",
           "caught in lab": "#8fc9a8", "missed in lab": "#e39b93", "not measured": "#bbbbbb"}


def plot_matrix(rows: list[list[str]]):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8.5, 0.42 * len(rows) + 1.8), layout="constrained")
    for i, row in enumerate(rows):
        for j, st in enumerate((row[1], row[3])):
            key = max((k for k in COLOURS if st.startswith(k)), key=len)   # "caught in lab 19": the pale one
            ax.add_patch(plt.Rectangle((j, len(rows) - 1 - i), 1, 1, color=COLOURS[key], ec="white", lw=2))
            ax.text(j + 0.5, len(rows) - 0.5 - i, st, ha="center", va="center", fontsize=9,
                    color="white" if st in (CAUGHT, MISSED, FALSE) else "black", fontweight="bold")
    ax.set_xlim(0, 2)
    ax.set_ylim(0, len(rows))
    ax.set_xticks([0.5, 1.5], ["goroutine leak\n(goroutine_channel)", "heap leak\n(heapleak)"])
    ax.xaxis.tick_top()
    ax.set_yticks([len(rows) - 0.5 - i for i in range(len(rows))], [row[0].replace("`", "") for row in rows])
    ax.tick_params(length=0)
    for sp in ax.spines.values():
        sp.set_visible(False)
    fig.suptitle("Which method catches which leak", fontweight="bold")
    ax.set_title("strong colours: measured in this notebook; pale: in an earlier lab;\namber: grew, but below "
                 "the threshold in this run; grey: no result", fontsize=8, loc="left")
    return fig


def show_matrix(rows: list[list[str]]) -> None:
    from ..notebook import _display_figure
    _md(matrix_markdown(rows))
    _display_figure(plot_matrix(rows))


# --- the task: the matrix for a leak not seen before ---------------------------------------------

TASK_PKG = "tasks/comparison_leak"
TASK_METHODS = METHODS[:5]
TASK_S = 3.0
# The shipped program's behaviour, by construction: its leaked goroutines wait on channels that a
# package-level map still holds, so no proof of "blocked forever" is possible; each holds 16 kB.
KNOWN = {"goroutine count trend": CAUGHT, "live-heap trend": CAUGHT, "goroutineleak profile": MISSED,
         "goroutine profile by site": CAUGHT, "pprof heap diff": CAUGHT}


def task_run(seconds: float = TASK_S, keep: str | Path | None = None) -> Run:
    """The task's program (leaky), with every kind of evidence collected."""
    def go(k):
        return check(samples_dir() / TASK_PKG, args=["-variant", "leaky", "-duration", f"{seconds:g}s"],
                     duration=seconds + 8, label="leaky", keep=k, **snapshots(seconds))
    if keep is not None:
        return go(Path(keep))
    with tempfile.TemporaryDirectory(prefix="leaklab-task22-") as tmp:
        run = go(Path(tmp))
        run.findings = {m: FINDERS[m](run) for m in TASK_METHODS}   # heap profiles are read before tmp goes
        return run


def _norm(v) -> str:
    v = str(v or "").strip().lower()
    return {"yes": CAUGHT, "true": CAUGHT, "catches": CAUGHT, "no": MISSED, "false": MISSED, "misses": MISSED}.get(v, v)


@task("comparison_leak", package=TASK_PKG, answer=True)
def check_comparison_leak(answer, run: Run | None = None) -> TaskResult:
    """The answer says, for each of five methods, "caught" or "missed" on the task's leak. The
    check runs the program and judges each method on its own evidence; where this run is too short
    or too noisy to say, the program's known behaviour decides (and the details say so)."""
    answer = answer if isinstance(answer, dict) else {}
    run = run or task_run()
    findings = getattr(run, "findings", None) or {m: FINDERS[m](run) for m in TASK_METHODS}
    rows, right = [], 0
    for m in TASK_METHODS:
        f = findings[m]
        seen = status(f)
        truth = seen if seen in (CAUGHT, MISSED) else KNOWN[m]
        got = _norm(answer.get(m))
        ok = got == truth
        right += ok
        note = "" if seen in (CAUGHT, MISSED) else f" (this run: {seen}; the program's known behaviour)"
        rows.append(f"| {m} | {got or '—'} | **{truth}**{note} | {f.measured} | {'✓' if ok else '✗'} |")
    done = right == len(TASK_METHODS)
    if not any(_norm(answer.get(m)) for m in TASK_METHODS):   # no evidence before an answer: it would give it away
        m = re.search(r"served (\d+) sessions", run.stdout_tail)
        return TaskResult(False, f"not done: nothing answered yet; the check ran the leaky program for "
                                 f"{run.samples[-1]['t'] if run.samples else 0:.1f} s ({m[1] if m else '?'} sessions) "
                                 f"and judged {len(TASK_METHODS)} methods on it")
    tr = _trend(run, "goroutines")
    line = (f"{'done' if done else 'not done'}: {right} of {len(TASK_METHODS)} right; this run: "
            f"{tr.growth if tr else 0:+,.0f} goroutines over the window, {findings['goroutineleak profile'].measured}, "
            f"{findings['pprof heap diff'].measured.split(' at ')[0]}")
    details = "\n".join(["| method | your answer | this run | what it measured | |", "|---|---|---|---|---|"] + rows)
    return TaskResult(done, line, details)
