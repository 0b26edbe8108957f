"""Lab 11, escape analysis: the catalogue's `-m` findings beside measured allocations, the cost of
escaping under load, and the task (tasks/escape: a log line without heap allocations, proven
with testing.AllocsPerRun and explained by `-gcflags=-m=2`)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LeakLabError
from ..gotools import escape_analysis
from ..measure import Run
from ..samples import samples_dir, scenario_dir
from ..tasks import TaskResult, task
from ..toolchain import go_for
from ..notebook import show_figure as _show_figure

PACKAGE = "internals/escape"
CASE_FILES = ("pointers.go", "captured.go", "buffers.go")
KIND_COLOUR = {"heap": "#c0392b", "stack": "#2e8b57", "inline": "#7f8c8d"}
WARM_S = 0.5   # start-up (building the long-lived data) is left out of every load figure
MB = 1e6
MiB = 2**20


@dataclass
class Catalogue:
    """The catalogue's `-m` findings and, per case, the allocations one call made."""

    findings: list[dict]
    allocs: dict[str, float]
    folder: Path


_ALLOCS = re.compile(r"allocs/call (\S+)\s+([\d.]+)")


def catalogue() -> Catalogue:
    """`go build -gcflags=-m` on internals/escape and its TestAllocs (testing.AllocsPerRun)."""
    folder = scenario_dir(PACKAGE)
    res = go_for(None).run("test", "-count=1", "-v", "-run", "^TestAllocs$", f"./{PACKAGE}/",
                           cwd=samples_dir(), timeout=300)
    if res.returncode != 0:
        raise LeakLabError(f"go test -run TestAllocs failed: {(res.stdout + res.stderr).strip()[-500:]}")
    allocs = {m[1]: float(m[2]) for m in _ALLOCS.finditer(res.stdout)}
    return Catalogue(escape_analysis(folder), allocs, folder)


def funcs_of(text: str) -> dict[str, int]:
    """The line of each func declaration in a Go file's text: {name: line}."""
    return {m[1]: n for n, ln in enumerate(text.splitlines(), 1)
            if (m := re.match(r"func (?:\([^)]*\) )?(\w+)", ln))}


def func_ranges(text: str) -> dict[str, tuple[int, int]]:
    """{name: (first line, line of the next declaration)} for every func of a file."""
    starts = sorted(funcs_of(text).items(), key=lambda kv: kv[1])
    return {fn: (line, starts[i + 1][1] if i + 1 < len(starts) else 10**9) for i, (fn, line) in enumerate(starts)}


def annotated_html(cat: Catalogue, file: str) -> str:
    """A file line by line, with its `-m` findings and the measured allocations beside each line."""
    text = (cat.folder / file).read_text()
    decl = {line: name for name, line in funcs_of(text).items()}
    rows = []
    for n, src in enumerate(text.splitlines(), 1):
        notes = [f'<span style="color:{KIND_COLOUR[f["kind"]]}">{html.escape(f["message"])} <b>[{f["kind"]}]</b></span>'
                 for f in cat.findings if f["file"] == file and f["line"] == n and f["kind"] in KIND_COLOUR]
        if n in decl:
            notes += [f"<b>measured: {html.escape(case)} → {a:g} alloc/call</b>"
                      for case, a in cat.allocs.items() if case.split("(")[0] == decl[n]]
        colour = "#7f8c8d" if src.lstrip().startswith("//") else "inherit"
        rows.append(f'<tr><td style="text-align:right;color:#7f8c8d">{n}</td>'
                    f'<td style="text-align:left;white-space:pre;font-family:monospace;color:{colour}">{html.escape(src)}</td>'
                    f'<td style="text-align:left">{"<br>".join(notes)}</td></tr>')
    return (f"<p><b>go_samples/{PACKAGE}/{file}</b> with <code>-gcflags=-m</code> findings</p>"
            "<table><tr><th>line</th><th>source</th><th>finding [kind] · measured allocations</th></tr>"
            + "".join(rows) + "</table>")


def show_annotated(cat: Catalogue, *files: str) -> None:
    """Show each file with its findings (all the catalogue's case files by default)."""
    from IPython.display import HTML, display
    for f in files or CASE_FILES:
        display(HTML(annotated_html(cat, f)))


def said(cat: Catalogue, case: str) -> str:
    """What `-m` says about the function a case calls: "heap" if any finding in its body is heap,
    "stays (after inlining)" if it only inlines, else "stays"."""
    name = case.split("(")[0]
    for file in CASE_FILES:
        ranges = func_ranges((cat.folder / file).read_text())
        if name in ranges:
            lo, hi = ranges[name]
            kinds = {f["kind"] for f in cat.findings if f["file"] == file and lo <= f["line"] < hi}
            return "heap" if "heap" in kinds else ("stays (after inlining)" if "inline" in kinds else "stays")
    raise LeakLabError(f"no function for case {case!r} in {', '.join(CASE_FILES)}")


def rule_table(cat: Catalogue) -> tuple[str, list[str]]:
    """A markdown table: per case, what `-m` says, the measured allocations and whether the rule
    "escapes = allocates" holds; and the cases where it does not."""
    rows = ["| call | `-m` says | measured allocs/call | rule of thumb holds? |", "|---|---|---|---|"]
    surprises = []
    for case, a in cat.allocs.items():
        s = said(cat, case)
        ok = (s == "heap") == (a > 0)
        if not ok:
            surprises.append(case)
        rows.append(f"| `{case}` | {s} | {a:g} | {'yes' if ok else '**no**'} |")
    return "\n".join(rows), surprises


def show_rule_table(cat: Catalogue) -> list[str]:
    from IPython.display import Markdown, display
    table, surprises = rule_table(cat)
    display(Markdown(table))
    print("where '-m says heap' and 'a call allocates' disagree:", ", ".join(surprises) or "nowhere")
    return surprises


def why(folder: Path, file: str, func: str) -> list[str]:
    """The `-m=2` explanation of every value moved to the heap in one function: the chain of
    flows, bottom-up, as `file:line: message` lines."""
    lo, hi = func_ranges((folder / file).read_text())[func]
    out = []
    for f in escape_analysis(folder, flags="-m=2"):
        if f["file"] != file or not lo <= f["line"] < hi or f["message"].startswith(("cannot inline", "can inline")):
            continue
        if f["kind"] in ("heap", "other"):
            out.append(f"{file}:{f['line']}: {f['message']}")
    return out


# --- the cost of escaping under load ------------------------------------------------------

def _rate(run: Run, key: str) -> float:
    pts = [s for s in run.samples if s["t"] >= WARM_S]
    return (pts[-1][key] - pts[0][key]) / (pts[-1]["t"] - pts[0]["t"]) if len(pts) > 1 else 0.0


def load_stats(load: dict[str, Run], rate: int, run_s: float) -> dict[str, dict]:
    """Per run, after warm-up: MB and objects allocated per second, GC cycles per second (the
    program's own, not forced), the heap goal, GC CPU per cycle and per second (gctrace's
    `ms cpu`), process CPU per request and the live heap at the end."""
    stats = {}
    for label, r in load.items():
        window = max(r.samples[-1]["t"] - WARM_S, 1e-9)
        cycles = [g for g in r.gctrace if g["t"] >= WARM_S and not g["forced"]]
        gc_ms = sum(g["cpu_ms"] for g in cycles)
        stats[label] = dict(
            mb_s=_rate(r, "alloc_bytes") / MB, obj_s=_rate(r, "alloc_objects"), cycles=len(cycles),
            gc_s=len(cycles) / window, goal=max((g["goal_mb"] for g in cycles), default=0),
            per_cycle=gc_ms / max(len(cycles), 1), gc_ms_s=gc_ms / window,
            live=r.final["heap_live"] if r.final else 0, cpu_us=r.cpu_s * 1e6 / rate / run_s)
    return stats


def stats_table(stats: dict[str, dict]) -> str:
    rows = ["| run | allocated | objects allocated | GC cycles | heap goal | GC CPU per cycle | GC CPU per second | "
            "process CPU per request | live heap at end |", "|---|---|---|---|---|---|---|---|---|"]
    for label, s in stats.items():
        rows.append(f"| {label} | {s['mb_s']:.1f} MB/s | {s['obj_s']:,.0f} /s | {s['gc_s']:.1f} /s | "
                    f"{str(s['goal']) + ' MB' if s['goal'] else '—'} | {s['per_cycle']:.2f} ms | "
                    f"{s['gc_ms_s']:.1f} ms | {s['cpu_us']:.2f} µs | {s['live'] / MiB:.1f} MiB |")
    return "\n".join(rows)


STYLE = {"pointer": "#e67e22", "value": "#2471a3"}


def plot_load(load: dict[str, Run], stats: dict[str, dict], rate: int):
    """Cumulative allocation and GC cycles over time, and GC CPU per cycle, for the four runs;
    one legend for the figure, under the panels."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import EngFormatter, MaxNLocator

    fig, axes = plt.subplots(1, 3, figsize=(14, 4.6), layout="constrained")
    for label, r in load.items():
        v, live = label.split(", ")
        ls = "-" if live == "live 0 MiB" else "--"
        t = [s["t"] for s in r.samples]
        axes[0].plot(t, [s["alloc_bytes"] for s in r.samples], ls, color=STYLE[v], lw=2, label=label)
        axes[1].plot(t, [s["gc_cycles"] for s in r.samples], ls, color=STYLE[v], lw=2)
    labels = list(stats)
    axes[2].barh(labels, [stats[k]["per_cycle"] for k in labels], color=[STYLE[k.split(",")[0]] for k in labels])
    for i, k in enumerate(labels):
        s = stats[k]
        axes[2].text(s["per_cycle"], i, f" {s['per_cycle']:.2f} ms × {s['gc_s']:.1f} cycles/s" if s["cycles"]
                     else " no GC cycle of its own", va="center", fontsize=8.5)
    axes[0].yaxis.set_major_formatter(EngFormatter(unit="B"))
    axes[1].yaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set_title("heap allocated (cumulative)", loc="left")
    axes[1].set_title("GC cycles (cumulative)", loc="left")
    axes[2].set_title("GC CPU per cycle (gctrace)", loc="left")
    axes[2].set_xlabel("ms of CPU per GC cycle")
    axes[2].invert_yaxis()
    axes[2].set_xlim(0, max(stats[k]["per_cycle"] for k in labels) * 1.9 + 0.1)
    for ax in axes[:2]:
        ax.axvspan(0, WARM_S, color="#7f8c8d", alpha=0.12, lw=0)
        ax.text(WARM_S / 2, 0.5, "start-up:\nbuilding\nlive data", transform=ax.get_xaxis_transform(), ha="center",
                fontsize=7.5, color="#555")
        ax.set_xlabel("time since start (s)")
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.legend(loc="outside lower center", ncol=4, fontsize=9)
    fig.suptitle(f"Same work, {rate:,} records/s: by pointer (escapes, orange) vs by value (stays, blue)",
                 fontweight="bold")
    return fig


FEW_CYCLES = 5   # fewer GC cycles than this in a run: its per-cycle cost is a rough figure


def load_summary(stats: dict[str, dict], rate: int) -> str:
    """Per request bytes and objects, GC cycles and GC CPU per cycle, small vs 32 MiB live heap;
    says so when a run counted too few cycles for its per-cycle figure to mean much."""
    p0, v0, p32, v32 = (stats[f"{v}, live {n} MiB"] for n in (0, 32) for v in ("pointer", "value"))
    lines = [
        f"per request: pointer allocates {p0['mb_s'] * MB / rate:.0f} bytes in {p0['obj_s'] / rate:.2f} objects; "
        f"value {v0['mb_s'] * MB / rate:.1f} bytes in {v0['obj_s'] / rate:.4f} objects",
        f"GC cycles per second, pointer: {p0['gc_s']:.1f} with a small live heap, {p32['gc_s']:.1f} with 32 MiB live "
        f"(heap goal {p0['goal']} MB vs {p32['goal']} MB); value: {v0['gc_s']:.1f} and {v32['gc_s']:.1f}"
        + ("" if v0["cycles"] or v32["cycles"] else " (no GC cycle of its own)"),
        f"GC CPU per cycle, pointer: {p0['per_cycle']:.2f} ms with a small live heap, {p32['per_cycle']:.2f} ms with "
        f"32 MiB live: x{p32['per_cycle'] / max(p0['per_cycle'], 1e-9):.0f}"]
    few = [k for k in ("pointer, live 0 MiB", "pointer, live 32 MiB") if stats[k]["cycles"] < FEW_CYCLES]
    if few:
        counted = ", ".join(f"{stats[k]['cycles']} cycles for {k}" for k in few)
        lines.append(f"(only {counted} after warm-up: the per-cycle figure is rough; "
                     "a longer run (a classroom `duration`) counts more)")
    return "\n".join(lines)


def cycles_answer(stats: dict[str, dict]) -> str:
    """How the pointer version's GC cycles per second changed with 32 MiB live: "more often",
    "about as often" or "less often" (within 20 % counts as about as often)."""
    small, big = stats["pointer, live 0 MiB"]["gc_s"], stats["pointer, live 32 MiB"]["gc_s"]
    return "more often" if big > 1.2 * small else "less often" if big < 0.8 * small else "about as often"


def show_load(load: dict[str, Run], rate: int, run_s: float) -> dict[str, dict]:
    """The four load runs as a table, a figure and what they say; returns their stats."""
    from IPython.display import Markdown, display
    bad = [f"{k}: {r.message}" for k, r in load.items() if not r.ok]
    if bad:
        raise LeakLabError("a load run did not finish: " + "; ".join(bad))
    stats = load_stats(load, rate, run_s)
    display(Markdown(stats_table(stats)))
    _show_figure(plot_load(load, stats, rate))
    print(load_summary(stats, rate))
    return stats


def kept_summary(runs: list[Run]) -> str:
    """The leaky/fixed pair: requests served, bytes kept per request, leak and allocation rates."""
    leaky, fixed = runs
    served = int(re.search(r": (\d+) requests", leaky.stdout_tail)[1])
    kept = leaky.final["heap_live"] - fixed.final["heap_live"]
    return "\n".join([
        f"leaky: {served:,} requests, live heap at the end {leaky.final['heap_live'] / MiB:.1f} MiB: "
        f"{kept / served:.0f} bytes kept per request (a record is 256 bytes, a slice slot 8)",
        f"leak rate {leaky.verdict.heap.slope / MB:.1f} MB/s; allocation rate {_rate(leaky, 'alloc_bytes') / MB:.1f} MB/s",
        f"fixed: live heap at the end {fixed.final['heap_live'] / MiB:.2f} MiB; its 1024 kept records "
        f"({1024 * 256 // 1024} KiB) are a global array, in the program's data segment, not on the heap; "
        f"allocation rate {_rate(fixed, 'alloc_bytes') / MB:.2f} MB/s"])


def heap_findings(cat: Catalogue, *files: str) -> str:
    """The `-m` heap findings of some files, one line each with the source line."""
    lines = []
    for f in files:
        heap = [x for x in cat.findings if x["file"] == f and x["kind"] == "heap"]
        lines.append(f"{f}: " + ("; ".join(f"line {x['line']}: {x['message']}  ←  {x['source']}" for x in heap)
                                 or "no heap findings"))
    return "\n".join(lines)


# --- the task: a log line without heap allocations ----------------------------------------

TASK = "escape"
TASK_PKG = "tasks/escape"
TASK_FILE = "logline.go"
_PER_LINE = re.compile(r"allocs/line ([\d.]+)")
_GO_MSG = re.compile(r"^(?:\S*/)?(\w+\.go:\d+:\d+: .*)$")


@dataclass
class EscapeResult(TaskResult):
    """The check's answer, with the measured allocations per call (for `lab.reveal`)."""

    allocs: float | None = None
    escapes: list[dict] = field(default_factory=list)


def escapes_explained(folder: Path, file: str = TASK_FILE) -> list[dict]:
    """Every value `-gcflags=-m=2` moves to the heap in `file`: line, col, what escapes and
    why (the steps of the flow that forced it, bottom-up)."""
    found: dict[tuple[int, int], dict] = {}
    current = None
    for f in escape_analysis(folder, flags="-m=2"):
        if f["file"] != file:
            continue
        key, msg = (f["line"], f["col"]), f["message"].strip()
        if m := re.match(r"^(.*) escapes to heap in \w+:$", msg) or re.match(r"^moved to heap: (\w+)$", msg):
            current = found.setdefault(key, {"line": key[0], "col": key[1], "what": m[1], "steps": []})
        elif current is not None and (current["line"], current["col"]) == key and msg.startswith("from "):
            current["steps"].append(re.sub(r" at (?:\S*/)?\w+\.go:(\d+):\d+$", r" at line \1", msg.removeprefix("from ")))
        elif msg.startswith("moved to heap: "):
            found.setdefault(key, {"line": key[0], "col": key[1], "what": msg.removeprefix("moved to heap: "),
                                   "steps": []})
    return sorted(found.values(), key=lambda d: (d["line"], d["col"]))


def judge(allocs: float | None, same_line: bool, escapes: list[dict], failures: list[str]) -> EscapeResult:
    """Done when one call makes no heap allocation and the line written is the same as before."""
    done = allocs == 0 and same_line
    line = (f"{'done' if done else 'not done'}: line makes {allocs:g} heap allocations per call "
            f"(testing.AllocsPerRun); -m=2 lists {len(escapes)} escapes to the heap in {TASK_FILE}; "
            f"the line it writes is {'unchanged' if same_line else 'DIFFERENT'}")
    rows = [f"| {e['line']} | `{e['what']}` | {'; '.join(f'`{s}`' for s in e['steps'][-2:]) or '—'} |" for e in escapes]
    details = ""
    if rows:
        details += ("What `go build -gcflags=-m=2` says escapes, and the last steps of why:\n\n"
                    "| line | escapes to the heap | why (-m=2, last steps) |\n|---|---|---|\n" + "\n".join(rows)
                    + "\n\n`-m` and the measured count can disagree, as in the catalogue: a value `-m` lists may "
                    "cost nothing (a small integer in an interface, an `append` into a buffer that has room), "
                    "and a `make` it says stays can still allocate. The measured count decides.")
    if failures:
        details += ("\n\n" if details else "") + "The line's test failed:\n```\n" + "\n".join(failures[:6]) + "\n```"
    return EscapeResult(done, line, details, allocs=allocs, escapes=escapes)


@task(TASK, package=TASK_PKG, files=(TASK_FILE,))
def check_escape(**kw) -> EscapeResult:
    """Run the task's tests (the line is unchanged; testing.AllocsPerRun counts the allocations
    of one call) and explain every escape in logline.go with -gcflags=-m=2."""
    folder = scenario_dir(TASK_PKG)
    res = go_for(None).run("test", "-count=1", "-v", "-run", "^TestLine", f"./{TASK_PKG}/", cwd=samples_dir(),
                           timeout=300, extra_env={"LEAKLAB_CHECK_EXERCISE": "1"})
    out = res.stdout + res.stderr
    if "[build failed]" in out or "[setup failed]" in out:
        msgs = [m[1] for ln in out.splitlines() if (m := _GO_MSG.match(ln.strip()))]
        return EscapeResult(False, f"does not build: {msgs[0] if msgs else out.strip().splitlines()[-1]}",
                            "Go says:\n```\n" + "\n".join(msgs[:20]) + "\n```" if msgs else "")
    per = _PER_LINE.search(out)
    if per is None:
        tail = "\n".join(out.strip().splitlines()[-15:])
        return EscapeResult(False, "did not finish: the test measured nothing (did line panic?)", f"```\n{tail}\n```")
    same = "--- PASS: TestLineWritesTheSameLine" in out
    failures = [ln.strip() for ln in out.splitlines() if "main_test.go" in ln and "allocs/line" not in ln and "allocations per call" not in ln]
    return judge(float(per[1]), same, escapes_explained(folder), failures)
