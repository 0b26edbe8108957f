"""Lab 10, reachability: the demos' step tables and figure, the registry pair's numbers, and the
task (tasks/reachability: cut the right link so a closed upload is freed)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..errors import BuildError, LeakLabError
from ..measure import Run, check
from ..samples import scenario_dir
from ..tasks import TaskResult, task
from ..notebook import show_figure as _show_figure

MiB = 2**20
MB = 1e6


def printed(run: Run) -> list[dict]:
    """The JSON lines the program printed on stdout (its own measurements), in order."""
    return [json.loads(ln) for ln in run.stdout_tail.splitlines() if ln.startswith("{")]


def newly_freed(steps: list[dict], i: int) -> list[str]:
    """The watched objects whose cleanups ran between step i-1 and step i."""
    before = set(steps[i - 1].get("freed", [])) if i else set()
    return [n for n in steps[i].get("freed", []) if n not in before]


def roots_table(steps: list[dict]) -> str:
    """The roots demo as a markdown table: live heap and what was freed, per step."""
    rows = ["| step | live heap after a GC | freed at this step (their cleanups ran) |", "|---|---|---|"]
    rows += [f"| {i}. {s['step']} | {s['live_heap'] / MiB:.1f} MiB | {' + '.join(f'`{n}`' for n in newly_freed(steps, i)) or '—'} |"
             for i, s in enumerate(steps)]
    return "\n".join(rows)


def chain_table(steps: list[dict]) -> str:
    """The chain demo as a markdown table: live heap, registered sessions and cleanup counts."""
    rows = ["| step | live heap after a GC | registered | sessions freed | buffers freed |", "|---|---|---|---|---|"]
    rows += [f"| {i}. {s['step']} | {s['live_heap'] / MiB:.2f} MiB | {s['registered']} | "
             f"{s['sessions_freed']} | {s['buffers_freed']} |" for i, s in enumerate(steps)]
    return "\n".join(rows)


def which_freed(step: dict) -> str:
    """What the cleanup counts of one chain step say was freed: sessions, buffers, both, none."""
    s, b = step["sessions_freed"] > 0, step["buffers_freed"] > 0
    return {(True, True): "both", (True, False): "sessions only", (False, True): "buffers only",
            (False, False): "none"}[(s, b)]


def plot_steps(run: Run, steps: list[dict], title: str, notes: list[str]):
    """Live heap over time as the probe saw it (after each GC), with each step the program
    reported as a dot annotated with its note."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import EngFormatter

    fig, ax = plt.subplots(figsize=(10.5, 4.2), layout="constrained")
    ts = [s["t"] for s in run.samples]
    live = [s["heap_live"] if s.get("gc_cycles") else float("nan") for s in run.samples]
    ax.step(ts, live, where="post", color="#2471a3", lw=2, label="live heap after each GC (probe)")
    top = max(s["live_heap"] for s in steps)
    for i, (s, note) in enumerate(zip(steps, notes)):
        ax.plot(s["t"], s["live_heap"], "o", color="#2471a3", ms=7)
        y = s["live_heap"] + (0.08 if i % 2 else 0.32) * top
        ax.annotate(f"{i}. {s['step']}\n{note}", (s["t"], s["live_heap"]), (s["t"] + 0.02, y),
                    fontsize=8.5, va="bottom", arrowprops=dict(arrowstyle="-", color="#7f8c8d", lw=0.8))
    ax.set_ylim(0, top * 1.75)
    ax.yaxis.set_major_formatter(EngFormatter(unit="B"))
    ax.set_xlabel("time since start (s)")
    ax.set_ylabel("live heap")
    ax.set_title(title, fontweight="bold", loc="left")
    ax.legend(loc="upper right", fontsize=8.5)
    ax.grid(alpha=0.3)
    return fig


def roots_summary(steps: list[dict]) -> str:
    """What each step of the roots demo freed, in bytes and in blobs, from the program's numbers."""
    blob = 4 * MiB
    start, held, after_global, end = (s["live_heap"] for s in steps[:4])
    return "\n".join([
        f"4 blobs allocated: live heap grew by {(held - start) / MiB:.1f} MiB = {(held - start) / blob:.1f} blobs kept; "
        f"freed at once: {' + '.join(repr(n) for n in newly_freed(steps, 1)) or 'nothing'}",
        f"global = nil:        live heap fell by {(held - after_global) / MiB:.1f} MiB",
        f"goroutines returned: live heap fell by {(after_global - end) / MiB:.1f} MiB, back to {end / MiB:.2f} MiB"])


def chain_summary(steps: list[dict]) -> str:
    """What cutting each link of the chain demo freed."""
    n = steps[1]["registered"]
    kept = steps[1]["live_heap"] - steps[0]["live_heap"]
    cut_mid = steps[1]["live_heap"] - steps[2]["live_heap"]
    cut_root = steps[2]["live_heap"] - steps[3]["live_heap"]
    return "\n".join([
        f"{n} closed sessions kept {kept / MiB:.2f} MiB reachable ({kept / max(n, 1) / 1024:,.0f} KiB each)",
        f"cutting session→buffer freed {cut_mid / MiB:.2f} MiB: {steps[2]['buffers_freed']} buffers, "
        f"{steps[2]['sessions_freed']} sessions",
        f"cutting registry→session freed {cut_root:,} more bytes: {steps[3]['sessions_freed']} sessions"])


def show_steps(run: Run, title: str, kind: str) -> list[dict]:
    """A demo run (`kind` "roots" or "chain") as its table, its figure and what each cut freed;
    returns the steps the program printed."""
    from IPython.display import Markdown, display
    steps = printed(run)
    if not run.ok or len(steps) < 4:
        raise LeakLabError(f"the {kind} demo did not report its four steps: {run.message or run.stderr_tail[-300:]}")
    if kind == "roots":
        display(Markdown(roots_table(steps)))
        notes = ["freed now: " + (" + ".join(f"“{n}”" for n in newly_freed(steps, i)) or "nothing")
                 for i in range(len(steps))]
        summary = roots_summary(steps)
    else:
        display(Markdown(chain_table(steps)))
        notes = [f"{s['registered']} registered · freed {s['sessions_freed']} sessions, {s['buffers_freed']} buffers"
                 for s in steps]
        summary = chain_summary(steps)
    _show_figure(plot_steps(run, steps, title, notes))
    print(summary)
    return steps


def serve_summary(runs: list[Run], rate: int = 200, size: int = 32 << 10) -> str:
    """The registry pair in numbers: what each served, kept and freed; the leak per session and
    per second against rate × size; where the heap profile says the kept bytes were allocated."""
    leaky, fixed = runs
    lines = []
    for r in runs:
        e = printed(r)[-1]
        lines.append(f"{r.label}: served {e['served']:,} sessions; still registered {e['registered']:,}; cleanups ran "
                     f"for {e['sessions_freed']:,} sessions and {e['buffers_freed']:,} buffers; "
                     f"live heap {e['live_heap'] / MB:.2f} MB")
    e = printed(leaky)[-1]
    retained = leaky.final["heap_live"] - fixed.final["heap_live"]
    lines += ["", f"leaky keeps {retained / MB:.1f} MB more than fixed: {retained / max(e['served'], 1):,.0f} bytes "
              f"per session (the buffer is {size:,} bytes)",
              f"leak rate: {leaky.verdict.heap.slope / MB:.1f} MB/s measured vs {rate * size / MB:.1f} MB/s "
              f"= {rate} sessions/s × {size // 1024} KiB",
              "both allocated the same: " + ", ".join(f"{r.label} {r.samples[-1]['alloc_bytes'] / MB:.1f} MB"
                                                       for r in runs)]
    top = [row for row in leaky.heap_top if row["function"].startswith("main.") and row["flat"] > 0]
    if top:
        lines += ["", "where the leaky run's live heap was allocated (pprof -top of the final heap profile, "
                  "this program's functions; a sampled estimate, see below):"]
        lines += [f"  {row['flat'] / MB:8.2f} MB  {row['flat_pct']:5.1f}% of in-use bytes  {row['function']}"
                  for row in top]
    return "\n".join(lines)


# --- the task -----------------------------------------------------------------------------

TASK = "reachability"
PACKAGE = "tasks/reachability"


@dataclass
class ChainResult(TaskResult):
    """The check's answer, with the counts the program printed (for `lab.reveal`)."""

    counts: dict = field(default_factory=dict)

    @property
    def freed_share(self) -> str:
        """How many of the closed sessions the GC freed, in words: "none", "some", "all of them"
        ("none" when the program did not report)."""
        c = self.counts
        n, closed = c.get("sessions_freed", 0), c.get("closed", 0)
        return "all of them" if closed and n == closed else "some" if n else "none"


def judge(c: dict) -> ChainResult:
    """Done when every closed session and its upload were freed while every user is still logged
    in with their open uploads intact; the line carries the counts."""
    closed = c["closed"]
    still = max(c["live_heap"], 0)
    line = (f"the GC freed {c['sessions_freed']} of {closed} closed sessions and {c['uploads_freed']} of their "
            f"uploads (live heap {still / MB:.1f} MB); {c['users_found']} of {c['users']} users still logged in, "
            f"{c['open_intact']} of {c['open']} open uploads intact")
    done = (c["sessions_freed"] == closed and c["uploads_freed"] == closed
            and c["users_found"] == c["users"] and c["open_intact"] == c["open"])
    details = ""
    if not done:
        missing = []
        if c["sessions_freed"] < closed or c["uploads_freed"] < closed:
            missing.append(f"{closed - min(c['sessions_freed'], c['uploads_freed'])} closed uploads are still "
                           "reachable from a root (their sessions or their data)")
        if c["users_found"] < c["users"] or c["open_intact"] < c["open"]:
            missing.append("the server lost something it still needs (a user, or an open upload)")
        details = "Not yet: " + "; ".join(missing) + "."
    return ChainResult(done, ("done: " if done else "not done: ") + line, details, counts=c)


@task(TASK, package=PACKAGE, files=("server.go",))
def check_chain(duration: float = 60.0, **kw) -> ChainResult:
    """Build and run tasks/reachability with your server.go: it closes most uploads, forces a GC
    and prints what was freed."""
    try:
        run = check(scenario_dir(PACKAGE), duration=duration, label="task", **kw)
    except BuildError as err:
        msgs = list(err.messages)
        return ChainResult(False, f"does not build: {msgs[0] if msgs else err}",
                           "Go says:\n```\n" + "\n".join(msgs[:20]) + "\n```" if msgs else "")
    out = printed(run)
    if run.exit != "exited" or not out:
        return ChainResult(False, f"did not finish: {run.message or 'the program printed no result'}",
                           f"```\n{run.stderr_tail[-2000:].strip()}\n```" if run.stderr_tail.strip() else "")
    return judge(out[-1])
