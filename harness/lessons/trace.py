"""Lab 19, the execution trace: the goroutines of a trace read from `go tool trace -d=parsed`
(created, ended, where each last waited), the tables and figures of the lab, what tracing costs,
and the task (tasks/trace_leak: find the leaking goroutines of an unseen service in its trace)."""

from __future__ import annotations

import collections
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from ..gotools import trace_profile
from ..measure import Run, check
from ..samples import samples_dir
from ..supervise import Helper
from ..tasks import TaskResult, task
from ..toolchain import go_for
from ..notebook import show_figure as _show

TRANSITION = re.compile(r'StateTransition Time=(\d+) GoID=(\d+) (\w+)->(\w+) Reason="([^"]*)"')
PROBE = re.compile(r"(?<![A-Za-z0-9_])leaklab")   # the lab's probe (main.leaklabGo, ...; not goleaklab/): never shown


@dataclass
class G:
    """One goroutine of a trace: its start function (with file:line), when it was created and
    ended (seconds since the trace began; None when not in the trace), its last state and reason,
    and where it last blocked (first frame outside the runtime)."""

    start: str = "?"
    created: float | None = None
    ended: float | None = None
    state: str = ""
    reason: str = ""
    site: str = ""

    @property
    def function(self) -> str:
        """The start function without its file:line."""
        return self.start.split(" (")[0]


def goroutines(trace_file: str | Path) -> dict[int, G]:
    """Every goroutine of a trace, read from the state transitions `go tool trace -d=parsed`
    prints: NotExist->Runnable is a creation (with the start function as its stack's first frame),
    Running->Waiting a block (with the stack where), ...->NotExist an end."""
    go = go_for(None)
    helper = Helper([go.path, "tool", "trace", "-d=parsed", str(trace_file)],
                    stdout=subprocess.PIPE, text=True, env=go.env())
    try:
        return _parse_transitions(helper.proc.stdout)
    finally:  # read to the end, or stopped half way (an error, the stop button): nothing left running
        helper.stop()
        helper.proc.stdout.close()


def _parse_transitions(lines) -> dict[int, G]:
    gs: dict[int, G] = {}
    t0, want, frame = None, None, None
    for line in lines:
        if line.startswith("M="):                        # an event
            want = None
            m = TRANSITION.search(line)
            if not m:
                continue
            t, gid, old, new, why = int(m[1]), int(m[2]), m[3], m[4], m[5]
            t0 = t0 or t
            g = gs.setdefault(gid, G())
            if old == "Undetermined" or old == new:      # a re-stated state, not a change
                continue
            g.state, g.reason = new, why
            if old == "NotExist":
                g.created, want = (t - t0) / 1e9, (gid, "start")
            elif new == "NotExist":
                g.ended = (t - t0) / 1e9
            elif new == "Waiting":
                want = (gid, "site")
        elif want and line.startswith("\t\t") and frame:  # the file:line under a frame
            setattr(gs[want[0]], want[1], f"{frame} ({line.strip().rsplit('/', 1)[-1]})")
            want = frame = None
        elif want and line.startswith("\t") and " @ 0x" in line:
            fn = line.strip().split(" @ ")[0]
            # the start function is the first frame; a blocking site, the first outside the runtime
            frame = fn if want[1] == "start" or not fn.startswith("runtime.") else None
    return gs


def programs(gs: dict[int, G], prefix: str = "main.") -> list[G]:
    """The program's own goroutines created in the trace (not the runtime's, not the probe's)."""
    return [g for g in gs.values() if g.created is not None and g.start.startswith(prefix) and not PROBE.search(g.start)]


@dataclass
class Row:
    start: str
    created: int
    ended: int
    left: collections.Counter   # "state [reason] at site" -> count, for those alive at the end


def summary(gs: dict[int, G], prefix: str = "main.") -> list[Row]:
    """Per start function of the program: created, ended, and how the rest were left; most
    created first."""
    rows: dict[str, Row] = {}
    for g in programs(gs, prefix):
        row = rows.setdefault(g.start, Row(g.start, 0, 0, collections.Counter()))
        row.created += 1
        if g.ended is not None:
            row.ended += 1
        else:
            row.left[f"{g.state} [{g.reason}] at {g.site}"] += 1
    return sorted(rows.values(), key=lambda r: -r.created)


def goroutine_table(events: dict[str, dict[int, G]], prefix: str = "main.") -> str:
    """The summaries of several traces as one markdown table."""
    lines = ["| run | goroutine started at | created | ended | alive at the end: state [reason] at |",
             "|---|---|---:|---:|---|"]
    for label, gs in events.items():
        for r in summary(gs, prefix):
            alive = "<br>".join(f"{n:,} × {k}" for k, n in r.left.most_common(2)) or "none"
            lines.append(f"| {label} | `{r.start}` | {r.created:,} | {r.ended:,} | {alive} |")
    return "\n".join(lines)


def end_of(gs: dict[int, G]) -> float:
    """The last moment the trace saw (seconds since it began)."""
    return max((g.ended or g.created or 0) for g in gs.values())


# --- the lesson's runs ---------------------------------------------------------------------------

def served(run: Run) -> int:
    m = re.search(r"served (\d+)", run.stdout_tail)
    return int(m[1]) if m else 0


def size_lines(runs: list[Run], idle: Run) -> list[str]:
    """Trace size per run and per request, and what a run at one request a second wrote."""
    sizes = {r.label: (r.artifacts / "trace.out").stat().st_size for r in runs}
    out = [f"{r.label}: trace.out {sizes[r.label] / 1e3:,.0f} kB for {served(r)} requests "
           f"({sizes[r.label] / max(served(r), 1):,.0f} B per request)" for r in runs]
    idle_size = (idle.artifacts / "trace.out").stat().st_size
    share = idle_size / sizes["fixed"]
    out.append(f"fixed at 1 request a second ({served(idle)} served, same length): trace.out {idle_size / 1e3:,.0f} kB, "
               f"{share:.0%} of the fixed run's: "
               + ("at least half of a short trace is the runtime's and the probe's own activity, not the requests"
                  if share >= 0.5 else f"the requests wrote most of it, yet {share:.0%} was there without them"))
    return out


def sync_rows(trace_file: Path, most: int = 8) -> list[dict]:
    """`go tool trace -pprof=sync` as pprof -top rows, by cumulative blocking, the probe's left out."""
    rows = [r for r in trace_profile(trace_file, "sync", nodecount=20) if not PROBE.search(r["function"])]
    return sorted(rows, key=lambda r: -r["cum"])[:most]


def sync_table(rows: list[dict]) -> str:
    return "\n".join(["| blocked (s, cumulative) | % | function |", "|---:|---:|---|"]
                     + [f"| {r['cum']:.3f} | {r['cum_pct']:.1f} | `{r['function']}` |" for r in rows])


def show_sync_tables(runs: list[Run]) -> dict[str, list[dict]]:
    """The sync profile of each run's trace, side by side as markdown; returns the rows."""
    from IPython.display import Markdown, display
    profiles = {r.label: sync_rows(r.artifacts / "trace.out") for r in runs}
    display(Markdown("\n\n".join(f"**{label}**\n\n{sync_table(rows)}" for label, rows in profiles.items())))
    print("\n".join(sync_lines(profiles)))
    return profiles


def sync_lines(profiles: dict[str, list[dict]]) -> list[str]:
    """Per run: the largest row of the sync profile, and the most blocking under the program's own
    functions (main.*)."""
    out = []
    for label, rows in profiles.items():
        top = rows[0] if rows else {"function": "none", "cum": 0.0}
        mine = max((r["cum"] for r in rows if r["function"].startswith("main.")), default=0.0)
        out.append(f"{label}: largest row `{top['function']}` {top['cum']:.2f} s; the program's own "
                   f"functions (main.*) at most {mine:.2f} s")
    return out


def show_goroutine_table(events: dict[str, dict[int, G]], prefix: str = "main.") -> None:
    from IPython.display import Markdown, display
    display(Markdown(goroutine_table(events, prefix)))


def show_timeline(runs: list[Run], events: dict[str, dict[int, G]]) -> None:
    _show(plot_timeline(runs, events))


def show_alive_by_function(gs: dict[int, G]) -> None:
    _show(plot_alive_by_function(gs))


def stuck_lines(events: dict[str, dict[int, G]], profiles: dict[str, list[dict]], variant: str = "leaky") -> list[str]:
    """How many of the program's goroutines were still blocked at the end, for how long in all,
    and what the sync profile of the same trace adds up to."""
    gs = events[variant]
    end = end_of(gs)
    stuck = [g for g in programs(gs, f"main.{variant}") if g.ended is None]
    forever = sum(end - g.created for g in stuck)
    in_profile = max((r["cum"] for r in profiles[variant]), default=0.0)
    return [f"{variant}: {len(stuck):,} goroutines of the program were still blocked when the trace ended, "
            f"after {forever:,.0f} goroutine-seconds of waiting in all",
            f"the largest cumulative row of the sync profile of the same trace: {in_profile:.1f} s of blocking"]


def plot_timeline(runs: list[Run], events: dict[str, dict[int, G]]):
    """Per run: goroutines created and ended so far (trace), alive = created − ended (trace), and
    the count the probe sampled."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from ..plot import COLORS
    fig, axes = plt.subplots(1, len(runs), figsize=(11, 4.2), sharey=True, layout="constrained")
    for ax, r in zip(axes, runs):
        gs = programs(events[r.label])
        created = sorted(g.created for g in gs)
        ended = sorted(g.ended for g in gs if g.ended is not None)
        colour = COLORS.get(r.label, "#333")
        ax.step(created, range(1, len(created) + 1), where="post", color=colour, lw=2, label="created so far (trace)")
        ax.step(ended, range(1, len(ended) + 1), where="post", color=colour, lw=2, ls=":", label="ended so far (trace)")
        ts = sorted({*created, *ended})
        alive = [sum(c <= t for c in created) - sum(e <= t for e in ended) for t in ts]
        ax.plot(ts, alive, color=colour, lw=1.2, ls="--", label="alive = created − ended (trace)")
        ax.plot([s["t"] for s in r.samples], [s["goroutines"] for s in r.samples], color="#555", lw=1,
                label="alive (probe samples)")
        ax.set_title(f"{r.label}: {len(created):,} created, {len(ended):,} ended", loc="left",
                     color=colour, fontweight="bold")
        ax.set_xlabel("time since start (s)")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("goroutines")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=8, frameon=False)
    fig.suptitle("Execution trace events: leaky vs fixed (the program's goroutines)", fontweight="bold")
    return fig


# --- what tracing costs --------------------------------------------------------------------------

@dataclass
class TraceCost:
    pairs: list[tuple[float, float]]   # ns per fan-out, (untraced, traced), per round
    trace_bytes: int
    ops: int

    @property
    def plain_ns(self) -> float:
        return median(p[0] for p in self.pairs)

    @property
    def traced_ns(self) -> float:
        return median(p[1] for p in self.pairs)

    def lines(self) -> list[str]:
        per = self.trace_bytes / self.ops
        return ["ns per fan-out, untraced / traced: " + ", ".join(f"{a:,.0f} / {b:,.0f}" for a, b in self.pairs),
                f"median: {self.plain_ns:,.0f} ns untraced, {self.traced_ns:,.0f} ns traced "
                f"(×{self.traced_ns / self.plain_ns:.2f}; the rounds vary by "
                f"×{max(a for a, _ in self.pairs) / min(a for a, _ in self.pairs):.2f} untraced)",
                self.verdict(),
                f"trace written: {self.trace_bytes / 1e6:.1f} MB for {self.ops:,} fan-outs = {per:,.0f} B each, "
                f"or {per * 10_000 / 1e6:.1f} MB/s at 10,000 fan-outs a second"]

    def verdict(self) -> str:
        """Whether the rounds tell traced from untraced: their ranges must not overlap."""
        if max(a for a, _ in self.pairs) < min(b for _, b in self.pairs):
            return "every traced round was slower than every untraced one: the ratio is the tracer's, not noise"
        return ("the traced and untraced rounds overlap: on this machine, now, the ratio cannot be told "
                "apart from noise (run the cell again when the machine is quieter)")


def trace_cost(keep: str | Path, rounds: int = 3, ops: int = 20_000) -> TraceCost:
    """BenchmarkSum of toolkit/leaktests/fixed (one fan-out: five goroutines started and ended)
    run `ops` times with and without `-test.trace`, alternating `rounds` times. The test binary
    is built once (`go test -c`), as `go test -bench` would, without linking it for every run."""
    go = go_for(None)
    keep = Path(keep).resolve()
    keep.mkdir(parents=True, exist_ok=True)
    test_bin, out = keep / "fixed.test", keep / "bench-trace.out"
    pkg = samples_dir() / "toolkit/leaktests/fixed"
    res = go.run("test", "-c", "-o", str(test_bin), ".", cwd=pkg, timeout=300)
    if res.returncode != 0:
        raise RuntimeError(res.stderr)

    def bench(traced: bool) -> float:
        args = ["-test.run", "^$", "-test.bench", "Sum", "-test.benchtime", f"{ops}x"]
        args += ["-test.trace", str(out)] if traced else []
        res = subprocess.run([str(test_bin), *args], capture_output=True, text=True, timeout=300, cwd=pkg, env=go.env())
        return float(re.search(r"([\d.]+) ns/op", res.stdout)[1])

    pairs = [(bench(False), bench(True)) for _ in range(rounds)]
    return TraceCost(pairs, out.stat().st_size, ops)


def read_back(runs: list[Run]) -> tuple[dict[str, dict[int, G]], float]:
    """Every run's trace parsed, and how long reading them took (seconds)."""
    t0 = time.monotonic()
    events = {r.label: goroutines(r.artifacts / "trace.out") for r in runs}
    return events, time.monotonic() - t0


# --- the task: find the leak in an unseen service's trace ----------------------------------------

TASK_PKG = "tasks/trace_leak"
LEAK = "main.price.func1"                              # the shipped program's leak, by construction
NOT_LEAKING = {"main.worker", "main.flusher", "main.handle"}  # alive at the end, by design or in flight
LEAK_LINE_TEXT = "answers <- r.quote(item)"


def capture(seconds: float, keep: str | Path, rate: int = 100) -> tuple[Run, dict[int, G]]:
    """Run the task's service for `seconds` with the probe tracing it; its run and goroutines."""
    run = check(samples_dir() / TASK_PKG, args=["-duration", f"{seconds:g}s", "-rate", str(rate)],
                duration=seconds + 8, label="trace_leak", trace=True, keep=keep)
    return run, goroutines(Path(keep) / "trace.out")


def alive_over_time(gs: dict[int, G], function: str, ts: list[float]) -> list[int]:
    mine = [g for g in programs(gs) if g.function == function]
    return [sum(g.created <= t and (g.ended is None or g.ended > t) for g in mine) for t in ts]


def plot_alive_by_function(gs: dict[int, G], most: int = 5):
    """Goroutines alive over time, one line per start function of the program (the `most` with
    the most goroutines alive at any time)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    end = end_of(gs)
    ts = [end * i / 200 for i in range(201)]
    funcs = {g.function for g in programs(gs)}
    series = {f: alive_over_time(gs, f, ts) for f in funcs}
    top = sorted(series, key=lambda f: -max(series[f]))[:most]
    fig, ax = plt.subplots(figsize=(10, 4), layout="constrained")
    for f in top:
        ax.step(ts, series[f], where="post", lw=2, label=f)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(max(series[f]) for f in top) * 1.08 + 1)
    ax.set_xlabel("seconds since the trace began")
    ax.set_ylabel("goroutines alive")
    ax.set_title("The service's goroutines alive over time, by start function (from the trace)",
                 loc="left", fontweight="bold")
    fig.legend(loc="outside right upper", fontsize=8, frameon=False, title="start function")
    ax.grid(alpha=0.3)
    return fig


def leak_line() -> int:
    """The line of the shipped main.go where the leaked goroutines wait."""
    src = (samples_dir() / TASK_PKG / "main.go").read_text().splitlines()
    return next(i for i, ln in enumerate(src, 1) if LEAK_LINE_TEXT in ln)


def _func(name) -> str:
    name = str(name or "").strip().strip("`")
    name = re.sub(r"\s*\(.*\)$", "", name)           # "main.x (main.go:12)" -> "main.x"
    return name if name.startswith("main.") or not name else f"main.{name}"


def _line(where) -> int | None:
    m = re.search(r"(?:^|[:\s])(\d+)\D*$", str(where or "").strip())
    if m is None or ("." in str(where) and "main.go" not in str(where)):
        return None
    return int(m[1])


@task("trace_leak", package=TASK_PKG, answer=True)
def check_trace_leak(answer, trace: str | Path | None = None) -> TaskResult:
    """The answer names the leaking start function, the line its goroutines wait on, and the start
    functions alive at the end that do not leak. Compared with the shipped program's truth; the
    numbers come from a trace of it (the one given, or a new one-second run)."""
    answer = answer if isinstance(answer, dict) else {}
    if trace is None:
        import tempfile
        with tempfile.TemporaryDirectory(prefix="leaklab-task19-") as tmp:
            _, gs = capture(1.0, tmp)
    else:
        gs = goroutines(trace)
    rows = {r.start.split(" (")[0]: r for r in summary(gs)}
    leak = rows.get(LEAK)
    line = leak_line()
    got_leak = _func(answer.get("leaking"))
    got_line = _line(answer.get("waits_at"))
    got_fine = {_func(f) for f in answer.get("alive_not_leaking") or []}
    # alive at the end without leaking: the pool and the flusher always; requests in flight when
    # the trace stopped only if this trace caught some
    required = {f for f in NOT_LEAKING if f in rows and rows[f].created > rows[f].ended}
    ok = {"leaking": got_leak == LEAK, "waits_at": got_line == line,
          "alive_not_leaking": bool(got_fine) and required <= got_fine <= NOT_LEAKING}
    right = sum(ok.values())
    done = right == len(ok)
    evidence = (f"{leak.created:,} created, {leak.ended:,} ended, {leak.created - leak.ended:,} still waiting"
                if leak else "not in this trace")
    line_txt = (f"{'done' if done else 'not done'}: {right} of {len(ok)} right ("
                + ", ".join(f"{k} {'✓' if v else '✗'}" for k, v in ok.items())
                + f"); this trace: {sum(r.created for r in rows.values()):,} goroutines of the service created")
    details = []
    if not ok["alive_not_leaking"] and got_fine:
        extra, missing = got_fine - NOT_LEAKING, required - got_fine
        if extra:
            details.append(f"- `alive_not_leaking` names {len(extra)} that do not belong there")
        if missing:
            details.append(f"- `alive_not_leaking` misses {len(missing)} start function(s) alive at the end")
    if done:
        details.append(f"- the leak in this trace: `{LEAK}`, {evidence}, at main.go:{line}")
    return TaskResult(done, line_txt, "\n".join(details))
