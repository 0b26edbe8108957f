"""Lab 20, eBPF: bpftrace uprobes on unmodified Go binaries, run live where bpftrace can run (Linux,
root) and otherwise shown from a recorded real run, labelled with where and when it was made; the
lab's figures and numbers; and the task (tasks/ebpf_oneliner: a bpftrace program that prints
goroutines created minus ended).

Record a new run on a machine where bpftrace works (root): `python -m harness.lessons.ebpf record`.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import datetime, timezone
from itertools import accumulate
from pathlib import Path

from .. import ebpf as bpf
from ..samples import samples_dir
from ..tasks import TaskResult, task
from ..toolchain import go_for
from ..notebook import show_figure as _show

TASK_PKG = "tasks/ebpf_oneliner"
FUNCS = ("runtime.newproc1", "runtime.goexit1", "runtime.mallocgc", "runtime.mallocgc*SC*")
GOROUTINE_FUNCS = ("runtime.newproc1", "runtime.goexit1")
ALLOC_ROUNDS = 200
ROOT = Path(__file__).resolve().parent.parent.parent


def recorded_path() -> Path:
    return samples_dir() / TASK_PKG / "testdata" / "recorded" / "lab20.json"


# --- counts to and from JSON -----------------------------------------------------------------------

def to_dict(c: bpf.UprobeCounts) -> dict:
    d = asdict(c)
    d["series"] = [[t, n] for t, n in c.series]
    return d


def from_dict(d: dict) -> bpf.UprobeCounts:
    d = dict(d)
    d["series"] = [(t, n) for t, n in d["series"]]
    return bpf.UprobeCounts(**d)


def alloc_funcs(c: bpf.UprobeCounts) -> list[str]:
    """mallocgc and every size-specialized allocator the wildcard matched."""
    return ["runtime.mallocgc"] + c.matching("runtime.mallocgcSmall") + c.matching("runtime.mallocgcTiny")


def served(c: bpf.UprobeCounts) -> int:
    m = re.search(r"served (\d+)", c.stdout)
    return int(m[1]) if m else 0


# --- where the numbers come from: a live run, or the recorded one ----------------------------------

def build(bin_dir: Path) -> list[str]:
    """Plain `go build`s (no probe): the lab's two services, the allocation benchmark, the task's
    program. What would run in production."""
    go = go_for(None)
    bin_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(samples_dir(), "goroutine_channel", "channels"), (samples_dir(), "toolkit/heapleak", "heapleak"),
            (samples_dir(), TASK_PKG, "ebpf_oneliner"), (ROOT / "benchmarks", "alloc", "alloc")]
    for cwd, pkg, name in jobs:
        res = go.run("build", "-o", str(bin_dir / name), f"./{pkg}", cwd=cwd)
        if res.returncode != 0:
            raise RuntimeError(f"go build ./{pkg}: {res.stderr.strip()}")
    return sorted(name for *_, name in jobs)


def _bare_seconds(binary: Path, rounds: int) -> float:
    t0 = time.monotonic()
    subprocess.run([str(binary), "-rounds", str(rounds)], check=True, capture_output=True)
    return time.monotonic() - t0


def measure(group: str, bin_dir: Path, bpf_s: float):
    """One group of the lab's eBPF measurements, live (needs bpftrace, root)."""
    ch, hl, alloc, task_bin = (bin_dir / n for n in ("channels", "heapleak", "alloc", "ebpf_oneliner"))
    if group == "goroutines":
        return {v: to_dict(bpf.count_uprobes(ch, ["-variant", v, "-duration", f"{bpf_s:g}s"],
                                             funcs=FUNCS, duration=bpf_s + 10)) for v in ("leaky", "fixed")}
    if group == "alloc":
        return {str(r): to_dict(bpf.count_uprobes(alloc, ["-rounds", str(r)], funcs=FUNCS[2:], interval_s=60,
                                                  duration=120)) for r in (0, ALLOC_ROUNDS)}
    if group == "bare":
        return {str(r): [_bare_seconds(alloc, r) for _ in range(3)] for r in (0, ALLOC_ROUNDS)}
    if group == "heapleak":
        return {v: to_dict(bpf.count_uprobes(hl, ["-variant", v, "-duration", f"{bpf_s:g}s", "-rate", "400"],
                                             funcs=FUNCS, duration=bpf_s + 10)) for v in ("leaky", "fixed")}
    if group == "task":
        return {v: to_dict(bpf.count_uprobes(task_bin, ["-variant", v, "-duration", "1.5s"],
                                             funcs=GOROUTINE_FUNCS, duration=12)) for v in ("leaky", "fixed")}
    raise ValueError(group)


GROUPS = ("goroutines", "alloc", "bare", "heapleak", "task")


def measure_all(bin_dir: Path, bpf_s: float) -> dict:
    """Every eBPF measurement of the lab, live."""
    return {"bpf_s": bpf_s, **{g: measure(g, bin_dir, bpf_s) for g in GROUPS}}


def machine() -> dict:
    """Where a recording was made: host, kernel, CPU, Go, bpftrace, date."""
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    bt = shutil.which("bpftrace")
    bt_v = subprocess.run([bt, "--version"], capture_output=True, text=True).stdout.strip() if bt else ""
    return {"host": platform.node(), "kernel": f"Linux {platform.release()}", "cpu": cpu,
            "cpus": os.cpu_count(), "vm": " hypervisor" in info or "\thypervisor" in info or "hypervisor " in info,
            "go": go_for(None).version, "bpftrace": bt_v,
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def record(bpf_s: float = 6.0, path: Path | None = None) -> Path:
    """Measure everything live (classroom duration) and keep it as the recorded run."""
    ok, why = bpf.available()
    if not ok:
        raise bpf.EbpfUnavailable(why)
    path = path or recorded_path()
    with tempfile.TemporaryDirectory(prefix="leaklab-ebpf-") as tmp:
        build(Path(tmp))
        data = {"machine": machine(), **measure_all(Path(tmp), bpf_s)}
        for group in ("goroutines", "alloc", "heapleak", "task"):   # temp paths mean nothing later
            for d in data[group].values():
                d["binary"] = Path(d["binary"]).name
                d["script"] = d["script"].replace(str(Path(tmp).resolve()) + "/", "")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path


class Session:
    """The lab's eBPF numbers: measured here when bpftrace can run, else the recorded run."""

    def __init__(self, bpf_s: float, bin_dir: str | Path, live: bool | None = None):
        self.bpf_s, self.bin_dir = bpf_s, Path(bin_dir).resolve()
        ok, self.why = bpf.available()
        if live is None and ok and os.environ.get("LEAKLAB_EBPF") == "recorded":   # to see the recorded view
            ok, self.why = False, "LEAKLAB_EBPF=recorded asks for the recorded run"
        self.live = ok if live is None else live
        self.data: dict = {}
        self.recorded = json.loads(recorded_path().read_text())
        if not self.live:
            self.data = self.recorded

    @property
    def source(self) -> str:
        """Where the numbers below a cell come from, in a few words."""
        if self.live:
            return "live, on this machine"
        m = self.recorded["machine"]
        return (f"recorded on {m['date']}: host {m['host']}, {m['kernel']}, {m['cpu']} ({m['cpus']} CPUs"
                f"{', a virtual machine' if m.get('vm') else ''}), "
                f"{m['go']}, {m['bpftrace']}")

    def banner(self) -> str:
        if self.live:
            return f"eBPF: {self.why}. Every eBPF number below is measured now, on this machine."
        return (f"eBPF cannot run here: {self.why}.\nThe eBPF cells below show a recorded run instead, "
                f"{self.source}; each of their outputs says so. The probe's cells still run here.")

    def prepare(self) -> list[str]:
        """Build the plain binaries (here, whether eBPF runs or not: they are what it would probe)."""
        return build(self.bin_dir)

    def raw(self, group: str):
        """A group's numbers: measured now on first use when live, else the recorded ones."""
        if group not in self.data:
            self.data[group] = measure(group, self.bin_dir, self.bpf_s)
        return self.data[group]

    def counts(self, group: str) -> dict[str, bpf.UprobeCounts]:
        return {k: from_dict(v) for k, v in self.raw(group).items()}

    def script(self) -> str:
        """The bpftrace program the counting cells run (on the channel service)."""
        where = self.bin_dir / "channels"
        try:   # shown relative to the repository: the page may be read on another machine
            where = where.relative_to(ROOT)
        except ValueError:
            where = Path("channels")
        return bpf.script(where if self.live else "channels", list(FUNCS), 0.5)

    def cost_lines(self, goroutines: dict[str, bpf.UprobeCounts]) -> list[str]:
        return cost_lines({"alloc": self.raw("alloc"), "bare": self.raw("bare")}, goroutines, self.tag())

    def tag(self) -> str:
        return "" if self.live else f"[recorded run, {self.recorded['machine']['date']}] "


def start(bpf_s: float, bin_dir: str | Path, live: bool | None = None) -> Session:
    """The lab's session: one line on where its eBPF numbers come from; where bpftrace cannot
    run, the notebook's record says so (the lab's tests report it as a skip)."""
    s = Session(bpf_s, bin_dir, live)
    print(s.banner())
    if not s.live:
        from ..notebook import record_skip
        record_skip("ebpf", f"{s.why}; the eBPF cells show the run recorded {s.recorded['machine']['date']}")
    return s


# --- what the cells print and draw ----------------------------------------------------------------

def goroutine_lines(counts: dict[str, bpf.UprobeCounts], tag: str = "") -> list[str]:
    out = []
    for v, c in counts.items():
        spec = sum(c.totals[f] for f in c.matching("runtime.mallocgcSmall") + c.matching("runtime.mallocgcTiny"))
        out.append(f"{tag}{v}: served {served(c)} requests | created {c.totals['runtime.newproc1']:,}, "
                   f"ended {c.totals['runtime.goexit1']:,}, mallocgc {c.totals['runtime.mallocgc']:,}, "
                   f"size-specialized allocators {spec:,}")
    return out


def per_request_lines(counts: dict[str, bpf.UprobeCounts], probe_run, tag: str = "") -> list[str]:
    out = []
    for v, c in counts.items():
        n = max(served(c), 1)
        cr, en = c.totals["runtime.newproc1"], c.totals["runtime.goexit1"]
        allocs = sum(c.totals[f] for f in alloc_funcs(c))
        out.append(f"{tag}{v}: per request {cr / n:.2f} goroutines created, {en / n:.2f} ended, "
                   f"{(cr - en) / n:+.2f} left; {allocs / n:.1f} allocator calls")
    m = re.search(r"served (\d+)", probe_run.stdout_tail)
    if m and probe_run.final:
        n, left = int(m[1]), probe_run.final["goroutines"]
        out.append(f"the probe (run here, now) counted {left:,} goroutines left by leaky after {n:,} requests "
                   f"({left / n:.2f} per request)")
    return out


def _steps(ax, rates, **kw):
    """One flat step per interval; the last interval (program exit to bpftrace's end) is left out."""
    rates = rates[:-1] or rates
    ax.step([0] + [t for t, _ in rates], [r for _, r in rates] + [rates[-1][1]], where="post", **kw)


def plot_goroutines(counts: dict[str, bpf.UprobeCounts], source: str):
    """Three rows per variant: created and ended per second, created − ended so far, allocator
    calls per second."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from ..plot import COLORS
    fig, axes = plt.subplots(3, 2, figsize=(11, 8.4), sharex=True, sharey="row", layout="constrained")
    for col, (v, c) in enumerate(counts.items()):
        colour = COLORS.get(v, "#333")
        ax = axes[0][col]
        _steps(ax, c.rates("runtime.newproc1"), color=colour, lw=2, label="created (newproc1)")
        _steps(ax, c.rates("runtime.goexit1"), color=colour, lw=2, ls=":", label="ended (goexit1)")
        net = list(accumulate(n.get("runtime.newproc1", 0) - n.get("runtime.goexit1", 0) for _, n in c.series))
        axes[1][col].plot([0] + [t for t, _ in c.series[:-1]], [0] + net[:-1], color=colour, lw=2, marker="o", ms=3)
        _steps(axes[2][col], c.rates(*alloc_funcs(c)), color=colour, lw=2)
        ax.set_title(f"{v}: net {net[-1]:+,} goroutines (created − ended)", loc="left", color=colour,
                     fontweight="bold")
    axes[0][0].set_ylabel("goroutines / s")
    axes[1][0].set_ylabel("created − ended\n(so far)")
    axes[2][0].set_ylabel("allocator calls / s")
    for ax in axes.flat:
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
    axes[1][0].yaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in axes[2]:
        ax.set_xlabel("seconds since bpftrace started")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    fig.suptitle(f"eBPF uprobes on unmodified binaries: leaky vs fixed ({source})", fontweight="bold",
                 fontsize=10)
    return fig


def alloc_lines(alloc: dict[str, bpf.UprobeCounts], tag: str = "") -> list[str]:
    c = alloc[str(ALLOC_ROUNDS)]
    rest = {f: n for f, n in c.totals.items() if f != "runtime.mallocgc" and n > 1000}
    return [f"{tag}{ALLOC_ROUNDS * 1000:,} objects allocated by the program; runtime.mallocgc was entered "
            f"{c.totals['runtime.mallocgc']:,} times",
            f"{tag}the rest went to " + (", ".join(f"{f} ({n:,})" for f, n in rest.items()) or "nothing else")]


def cost_lines(data: dict, goroutines: dict[str, bpf.UprobeCounts], tag: str = "") -> list[str]:
    """µs per uprobe hit: the allocation benchmark bare and under the probes (the 0-round runs
    measure start-up, which is subtracted), and what that adds to a request of the service."""
    alloc = {k: from_dict(v) for k, v in data["alloc"].items()}
    bare = min(data["bare"][str(ALLOC_ROUNDS)]) - min(data["bare"]["0"])
    under = alloc[str(ALLOC_ROUNDS)].series[-1][0] - alloc["0"].series[-1][0]
    hits = sum(alloc[str(ALLOC_ROUNDS)].totals.values()) - sum(alloc["0"].totals.values())
    per_hit_us = (under - bare) / hits * 1e6
    leaky = goroutines["leaky"]
    per_req = sum(leaky.totals.values()) / max(served(leaky), 1)
    return [f"{tag}plain: {bare:.3f} s; under uprobes: {under:.2f} s (×{under / bare:,.0f}) for {hits:,} probe hits "
            f"= {per_hit_us:.1f} µs per hit",
            f"{tag}the channel service hit the probes {per_req:.0f} times per request: "
            f"{per_req * per_hit_us:,.0f} µs added to each request"]


def plot_heapleak(heap: dict[str, bpf.UprobeCounts], source: str):
    import matplotlib.pyplot as plt

    from ..plot import COLORS
    fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
    for v, c in heap.items():
        _steps(ax, c.rates(*alloc_funcs(c)), color=COLORS.get(v, "#333"), lw=2, ls="-" if v == "leaky" else "--",
               label=f"{v}: {sum(c.totals[f] for f in alloc_funcs(c)):,} allocator calls")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("seconds since bpftrace started")
    ax.set_ylabel("allocator calls / s")
    ax.set_title("heapleak under eBPF: leaky vs fixed allocate alike", loc="left", fontweight="bold")
    fig.legend(loc="outside right upper", fontsize=8, frameon=False)
    fig.suptitle(source, fontsize=8, x=0.01, ha="left", color="#555")
    ax.grid(alpha=0.3)
    return fig


def show_goroutines(s: Session) -> dict[str, bpf.UprobeCounts]:
    counts = s.counts("goroutines")
    print("\n".join(goroutine_lines(counts, s.tag())))
    _show(plot_goroutines(counts, s.source))
    return counts


def show_heapleak(s: Session) -> None:
    _show(plot_heapleak(s.counts("heapleak"), s.source))


# --- the task: a bpftrace program that prints created − ended --------------------------------------

_ALIVE = re.compile(r"goroutines alive at exit: (\d+)")
_VALUE = re.compile(r"^\s*(?P<label>@[\w\[\], ]*|[A-Za-z_][\w ./()-]*?)?\s*[:=]?\s*(?P<n>-?\d+)\s*$")
BASELINE_MAX = 16   # the runtime's own goroutines (GC workers, sweeper, ...) are created, never end


def printed_values(stdout: str) -> dict[str, int]:
    """The last value printed under each label (`@net: 306` -> {"@net": 306}; `net 306`; `306`)."""
    out: dict[str, int] = {}
    for line in stdout.splitlines():
        if line.startswith("Attaching "):
            continue
        m = _VALUE.match(line)
        if m:
            out[(m["label"] or "").strip()] = int(m["n"])
    return out


def run_script_live(script: Path, binary: Path, variant: str, seconds: float = 1.5) -> tuple[dict[str, int], int | None, str]:
    """`bpftrace SCRIPT BINARY -c "BINARY -variant V"`: the values the script printed, the
    program's own count of goroutines alive at exit, and bpftrace's error, if any."""
    cmd = [shutil.which("bpftrace"), str(script), str(binary), "-c", f"{binary} -variant {variant} -duration {seconds:g}s"]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 45)
    except subprocess.TimeoutExpired:
        return {}, None, "bpftrace did not end within 45 s of the program"
    alive = _ALIVE.search(res.stderr)
    err = "" if res.returncode == 0 and alive else bpf._first_error(res.stderr)
    return printed_values(res.stdout), int(alive[1]) if alive else None, err


class Unsupported(Exception):
    """The script uses something the recorded-run evaluator does not know (bpftrace would)."""


_BLOCK = re.compile(r"([^{}]+?)\s*\{([^{}]*)\}", re.S)


def _strip_comments(text: str) -> str:
    return re.sub(r"//[^\n]*", "", re.sub(r"/\*.*?\*/", "", text, flags=re.S))


def _eval(expr: str, maps: dict[str, int]) -> int:
    expr = expr.strip()
    if not re.fullmatch(r"[@\w\s+\-*/()]+", expr):
        raise Unsupported(f"the expression {expr!r}")
    py = re.sub(r"@(\w*)", lambda m: str(maps.get("@" + m[1], 0)), expr)
    if not re.fullmatch(r"[\d\s+\-*/()]+", py):
        raise Unsupported(f"the expression {expr!r}")
    return int(eval(py.replace("/", "//"), {"__builtins__": {}}))   # digits and + - * / only


def evaluate_recorded(script_text: str, series: list[tuple[float, dict[str, int]]]) -> dict[str, int]:
    """What a small bpftrace program would print, computed from recorded per-interval counts of
    runtime.newproc1 and runtime.goexit1. Knows map updates (`@m++`, `@m--`, `+=`, `-=`,
    `= count()`, `= sum(x)`), `print`, `printf` with `%d`, `clear`/`zero`, interval and END blocks,
    and bpftrace printing every map at exit. Anything else raises Unsupported."""
    text = _strip_comments(script_text)
    blocks = []
    for head, body in _BLOCK.findall(text):
        head = head.strip()
        if "/" in head.split(":")[-1] and head.rstrip().endswith("/"):
            raise Unsupported("a filter (/.../)")
        stmts = [s.strip() for s in body.split(";") if s.strip()]
        for point in (p.strip() for p in head.split(",")):
            kind = point.split(":")[0]
            if kind in ("uprobe", "u"):
                func = point.split(":")[-1]
                if func not in GOROUTINE_FUNCS:
                    raise Unsupported(f"a probe on {func} (recorded: newproc1 and goexit1 only)")
                blocks.append((func, stmts))
            elif kind in ("interval", "i", "END", "BEGIN"):
                blocks.append((kind if kind in ("END", "BEGIN") else "interval", stmts))
            else:
                raise Unsupported(f"the probe {point!r}")
    if not any(b[0] in GOROUTINE_FUNCS for b in blocks):
        raise Unsupported("no uprobe on runtime.newproc1 or runtime.goexit1")
    maps: dict[str, int] = {}
    printed: dict[str, int] = {}

    def run(stmts: list[str], times: int = 1) -> None:
        for s in stmts:
            if m := re.fullmatch(r"(@\w*)\s*(\+\+|--)", s) or re.fullmatch(r"(\+\+|--)\s*(@\w*)", s):
                name, op = (m[1], m[2]) if m[1].startswith("@") else (m[2], m[1])
                maps[name] = maps.get(name, 0) + (times if op == "++" else -times)
            elif m := re.fullmatch(r"(@\w*)\s*([+-])=\s*(.+)", s):
                maps[m[1]] = maps.get(m[1], 0) + (1 if m[2] == "+" else -1) * times * _eval(m[3], maps)
            elif m := re.fullmatch(r"(@\w*)\s*=\s*count\(\s*\)", s):
                maps[m[1]] = maps.get(m[1], 0) + times
            elif m := re.fullmatch(r"(@\w*)\s*=\s*sum\((.+)\)", s):
                maps[m[1]] = maps.get(m[1], 0) + times * _eval(m[2], maps)
            elif m := re.fullmatch(r"(@\w*)\s*=\s*(.+)", s):
                if times:
                    maps[m[1]] = _eval(m[2], maps)
            elif m := re.fullmatch(r"print\(\s*(@\w*)\s*\)", s):
                if m[1] in maps:
                    printed[m[1]] = maps[m[1]]
            elif m := re.fullmatch(r'printf\(\s*"([^"]*)"\s*((?:,[^,]+)*)\)', s):
                fmt, args = m[1], [a for a in m[2].split(",") if a.strip()]
                if fmt.count("%d") != len(args) or re.search(r"%[^d%]", fmt):
                    raise Unsupported(f"printf({fmt!r}, ...): %d only")
                for i, a in enumerate(args):
                    label = fmt.split("%d")[i].replace("\\n", "").strip(" :=") if "%d" in fmt else ""
                    printed[label] = _eval(a, maps)
            elif m := re.fullmatch(r"(?:clear|zero)\(\s*(@\w*)\s*\)", s):
                maps.pop(m[1], None)
            elif re.fullmatch(r"(?:exit|time)\(.*\)", s):
                continue
            else:
                raise Unsupported(f"the statement {s!r}")

    for kind, stmts in blocks:
        if kind == "BEGIN":
            run(stmts)
    for _, counts in series:
        for kind, stmts in blocks:
            if kind in GOROUTINE_FUNCS:
                run(stmts, counts.get(kind, 0))
        for kind, stmts in blocks:
            if kind == "interval":
                run(stmts)
    for kind, stmts in blocks:
        if kind == "END":
            run(stmts)
    printed.update(maps)   # bpftrace prints every map left at exit
    return printed


def _judge(values: dict[str, dict[str, int]], alive: dict[str, int]) -> tuple[bool, str]:
    """The label whose last values match the truth, if any: leaky − fixed equal to the difference in
    goroutines alive at exit, and fixed no more than the runtime's own goroutines above its count."""
    want = alive["leaky"] - alive["fixed"]
    best = None
    for label in set(values["leaky"]) & set(values["fixed"]):
        lk, fx = values["leaky"][label], values["fixed"][label]
        ok = abs((lk - fx) - want) <= max(3, 0.05 * want) and 0 <= fx - alive["fixed"] <= BASELINE_MAX
        if ok or best is None:
            best = (ok, f"{label or 'a value'}: leaky {lk:,}, fixed {fx:,}")
        if ok:
            break
    return best if best else (False, "nothing printed")


@task("ebpf_oneliner", package=TASK_PKG, files=("net.bt",))
def check_ebpf_oneliner(**kw) -> TaskResult:
    """Run net.bt under bpftrace on the task's program, leaky then fixed, and compare what it
    prints with the goroutines the program says are alive at exit. Where bpftrace cannot run, the
    script is evaluated on the recorded counts of a real run (and the line says so)."""
    folder = samples_dir() / TASK_PKG
    script = folder / "net.bt"
    ok, why = bpf.available()
    values: dict[str, dict[str, int]] = {}
    alive: dict[str, int] = {}
    if ok:
        how = "live bpftrace run"
        with tempfile.TemporaryDirectory(prefix="leaklab-task20-") as tmp:
            binary = Path(tmp) / "ebpf_oneliner"
            res = go_for(None).run("build", "-o", str(binary), ".", cwd=folder)
            if res.returncode != 0:
                return TaskResult(False, f"not done: the task's program does not build: {res.stderr.strip().splitlines()[-1]}")
            for v in ("leaky", "fixed"):
                values[v], n, err = run_script_live(script, binary, v)
                if err:
                    return TaskResult(False, f"not done: bpftrace could not run net.bt: {err}",
                                      "bpftrace's message is above; the script is `go_samples/tasks/ebpf_oneliner/net.bt`.")
                alive[v] = n
    else:
        rec = json.loads(recorded_path().read_text())
        how = f"bpftrace cannot run here ({why}): evaluated on the counts recorded {rec['machine']['date']}"
        try:
            for v in ("leaky", "fixed"):
                c = from_dict(rec["task"][v])
                values[v] = evaluate_recorded(script.read_text(), c.series)
                alive[v] = int(_ALIVE.search(c.stderr)[1])
        except Unsupported as e:
            return TaskResult(False, f"not done: cannot check here without bpftrace: net.bt uses {e}",
                              "Run the check on a Linux machine as root with bpftrace, where it runs your script.")
    done, seen = _judge(values, alive)
    line = (f"{'done' if done else 'not done'}: {seen}; the program had {alive['leaky']:,} (leaky) and "
            f"{alive['fixed']:,} (fixed) goroutines alive at exit, so created − ended should differ by "
            f"{alive['leaky'] - alive['fixed']:,} ({how})")
    return TaskResult(done, line)


if __name__ == "__main__" and sys.argv[1:2] == ["record"]:
    print(f"recorded to {record(float(sys.argv[2]) if len(sys.argv) > 2 else 6.0)}")
