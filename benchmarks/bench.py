"""`python -m benchmarks WHAT`: the lab's performance figures, printed as tables (never asserted in
tests) and, with --readme, written into benchmarks/README.md."""

from __future__ import annotations

import ast
import io
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from harness.build import build
from harness.supervise import supervise
from harness.toolchain import find_go
from tools.run_labs import DEFAULT_JOBS

BENCH_DIR = Path(__file__).resolve().parent
# name: (folder in benchmarks/, arguments). alloc keeps ~6.4 MB live (about 100 GCs/s here);
# gc-churn keeps nothing, so the heap stays at its 4 MB minimum and the GC runs ~600 times a second.
PROGRAMS = {"cpu": ("cpu", ["-rounds", "12000000"]), "alloc": ("alloc", ["-rounds", "16000"]),
            "gc-churn": ("alloc", ["-rounds", "40000", "-live", "0"])}


RELINKS = (3, 13, 29, 61)  # statements of dead code in the `relink` arm's four builds
TARGET = 1.02  # the probe's overhead target at the default interval, wall and CPU


def _against(ci: tuple[float, float] | None) -> str:
    """Where a ratio's 95 % interval lies against TARGET: `met` (wholly at or below it), `missed`
    (wholly above), `open` (it straddles the target: more rounds could tell); `-` without one."""
    if ci is None:
        return "-"
    lo, hi = ci
    return "met" if hi <= TARGET else "missed" if lo > TARGET else "open"


# The `timer` arm: the bare program plus one goroutine waiting on a timer that does not fire in a
# run, as nearly every real program has (an HTTP server's, a context deadline's, a ticker's).
TIMER_SRC = ('package main\n\nimport "time"\n\n'
             'func init() {\n\tgo func() { <-time.After(time.Hour) }()\n}\n')


# The `imports` arm: the bare program linking what the probe links from the standard library,
# without the probe: the functions it calls there, reached only from a branch that never runs.
IMPORTS_SRC = """package main

import (
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"runtime/trace"
)

func init() {
	if os.Getenv("LEAKLAB_PAD_NEVER") == "x" {
		s := []metrics.Sample{{Name: metrics.All()[0].Name}}
		metrics.Read(s)
		trace.Start(os.Stdout)
		trace.Stop()
		pprof.Lookup("heap").WriteTo(os.Stdout, 0)
	}
}
"""


def _bare(go, name: str, out: Path, pad: int = 0, timer: bool = False, imports: bool = False) -> Path:
    """The benchmark built by plain `go build`; with `pad`, relinked with a function of `pad`
    statements that never runs added to package main (through an overlay), which moves the code
    placed after it: what any change to a binary does to its code layout, with no probe at all.
    With `timer`, TIMER_SRC is added instead; with `imports`, IMPORTS_SRC."""
    exe = out / f"{name}-bare{pad or ''}{'-timer' if timer else ''}{'-imports' if imports else ''}"
    extra = []
    if pad or timer or imports:
        src = out / (f"pad{pad}.go" if pad else "timer.go" if timer else "imports.go")
        src.write_text(TIMER_SRC if timer else IMPORTS_SRC if imports else
                       'package main\n\nimport "os"\n\nvar leaklabPadSink int\n\n'
                       'func init() {\n\tif os.Getenv("LEAKLAB_PAD_NEVER") == "x" {\n\t\tleaklabPad()\n\t}\n}\n\n'
                       '//go:noinline\nfunc leaklabPad() {\n'
                       + "".join(f"\tleaklabPadSink += {i} * leaklabPadSink\n" for i in range(pad)) + "}\n")
        overlay = src.with_suffix(".json")
        overlay.write_text(json.dumps({"Replace": {str(BENCH_DIR / name / "leaklab_extra.go"): str(src)}}))
        extra = ["-overlay", str(overlay)]
    res = go.run("build", *extra, "-o", str(exe), f"./{name}", cwd=BENCH_DIR)
    if res.returncode != 0:
        raise SystemExit(f"error: cannot build benchmarks/{name}: {res.stderr.strip()}")
    return exe


def _median_ci(xs: list[float], n: int = 2000) -> tuple[float, float]:
    """95 % bootstrap interval of the median (fixed seed: the same runs print the same interval)."""
    rnd = random.Random(0)
    meds = sorted(statistics.median(rnd.choices(xs, k=len(xs))) for _ in range(n))
    return meds[int(0.025 * n)], meds[int(0.975 * n) - 1]


def _spread(xs: list[float]) -> str:
    """10th-90th percentile of xs relative to their median ("0.93-1.21"): how much the same
    binary's runs differ here, against which a ratio's distance from 1 can be judged."""
    if len(xs) < 4:
        return "-"
    d = statistics.quantiles(xs, n=10, method="inclusive")
    m = statistics.median(xs)
    return f"{d[0] / m:.2f}-{d[-1] / m:.2f}"


OVERHEAD_ARMS = ("bare", "off", "noprof", "probe", "probe200", "timer", "imports", "relink")


def overhead(repeat: int = 5, work: float = 1.0, arms: tuple[str, ...] = OVERHEAD_ARMS) -> list[dict]:
    """Instrumented vs bare wall and CPU time of fixed work. Each round runs the arms back to back
    (in a random order), and ratios are taken within a round, then their median over the rounds: this
    machine drifts by several percent between minutes, which a ratio of medians would count as overhead.

    Arms: `bare` (plain `go build`); `off`, the instrumented binary with its probe silent (no
    LEAKLAB_DIR); `noprof`, the same with GODEBUG=memprofilerate=0; `probe`, sampling at the
    defaults of `measure`. So probe/off is the probe's own cost, off/noprof what heap-profile sampling
    costs (the linker turns it off in programs that cannot reach runtime.MemProfile, and linking
    runtime/pprof, as the probe and every net/http/pprof import do, turns it back on), noprof/bare
    what the silent binary's other differences cost (the packages it links, its code layout);
    `imports`, the bare program linking what the probe links from the standard library, never
    calling it (IMPORTS_SRC): how much of that linking alone costs; `relink`, the bare program
    relinked with a little dead code (one of RELINKS, by round; only with repeat >= len(RELINKS)),
    is the control: a build that costs nothing, so its ratio shows how far apart runs of the same
    work read here; `probe200`, the probe sampling every 200 ms instead of 50 (`check --interval 200ms`);
    `timer`, the bare program with one goroutine waiting on a timer that never fires in a
    run (TIMER_SRC): what merely having a pending timer, as the probe's ticker is, costs a program
    that has none, apart from the probe's wake-ups; probe/timer is the probe's cost to a program
    that already has a timer, as nearly every real one does. `work` scales the programs' work
    (a quick look: 0.25; shorter runs are noisier). `arms`: a subset to run (`bare` and `probe`
    always run); the columns of the others say "-"."""
    go = find_go()
    rows = []
    arms = tuple(a for a in OVERHEAD_ARMS if a in arms or a in ("bare", "probe"))
    arms = tuple(a for a in arms if a != "relink" or repeat >= len(RELINKS))
    with tempfile.TemporaryDirectory(prefix="leaklab-bench-") as tmp:
        tmp = Path(tmp)
        for name, (folder, args) in PROGRAMS.items():
            args = [args[0], str(max(1, int(int(args[1]) * work))), *args[2:]]
            bare, probed = _bare(go, folder, tmp), build(BENCH_DIR / folder, go).path
            timed = _bare(go, folder, tmp, timer=True) if "timer" in arms else None
            imported = _bare(go, folder, tmp, imports=True) if "imports" in arms else None
            relinked = [_bare(go, folder, tmp, pad) for pad in RELINKS] if "relink" in arms else []
            walls: dict[str, list[float]] = {a: [] for a in arms}
            cpus: dict[str, list[float]] = {a: [] for a in arms}
            metrics_ns, memstats_ns, capture_s = [], [], []
            for i in range(repeat):
                # A fresh order each round (seeded: a rerun runs the same orders), not a rotation: with a
                # fixed cyclic order each arm always follows the same one, and whatever an arm leaves
                # behind (caches, a CPU's clock) biases the next one the same way in every round.
                order = list(arms)
                random.Random(i).shuffle(order)
                for kind in order:
                    d = tmp / f"{name}-{kind}-{i}"
                    d.mkdir()
                    env = go.env()
                    exe = {"relink": relinked[i % len(relinked)] if relinked else None, "bare": bare,
                           "timer": timed, "imports": imported}.get(kind, probed)
                    if kind == "noprof":
                        env["GODEBUG"] = "memprofilerate=0"
                    if kind in ("probe", "probe200"):
                        env.update(LEAKLAB_DIR=str(d), LEAKLAB_INTERVAL_MS="50" if kind == "probe" else "200",
                                   LEAKLAB_GC_EVERY_MS="250", LEAKLAB_DEADLINE_MS="600000")  # the defaults of `measure`
                    o = supervise([str(exe), *args], d, env, 600)
                    walls[kind].append(o.wall_s)
                    cpus[kind].append(o.cpu_s)
                    if kind == "probe" and (d / "metrics.jsonl").exists():
                        t_end = None
                        for line in (d / "metrics.jsonl").read_text().splitlines():
                            rec = json.loads(line) if line.startswith("{") else {}
                            if "memstats" in rec:
                                memstats_ns.append(rec["memstats"]["ReadCostNs"])
                                metrics_ns.append(rec.get("metrics_read_ns", float("nan")))
                            if rec.get("event") == "ending":
                                t_end = rec["t"]
                            if rec.get("event") == "end" and t_end is not None:
                                capture_s.append(rec["t"] - t_end)

            def ratio(xs, a, b):  # [] when an arm did not run
                return [x / y for x, y in zip(xs[a], xs[b])] if a in xs and b in xs else []

            def med(xs):
                return statistics.median(xs) if xs else "-"

            def med_ci(xs):  # no interval, and no word against the target, from fewer than 5 rounds
                if len(xs) < 5:
                    return med(xs), "-", None
                lo, hi = _median_ci(xs)
                return statistics.median(xs), f"{lo:.3f}-{hi:.3f}", (lo, hi)

            nan = float("nan")
            wall, wall_ci, wall_b = med_ci(ratio(walls, "probe", "bare"))
            cpu, cpu_ci, cpu_b = med_ci(ratio(cpus, "probe", "bare"))
            off, off_ci, _ = med_ci(ratio(cpus, "probe", "off"))
            imports, imports_ci, _ = med_ci(ratio(cpus, "imports", "bare"))
            relink, relink_ci, _ = med_ci(ratio(cpus, "relink", "bare"))
            rows.append({"program": name, "runs": repeat,
                         "bare_wall_s": statistics.median(walls["bare"]),
                         "bare_cpu_p10_p90": _spread(cpus["bare"]),
                         "wall_ratio": wall, "wall_ratio_ci95": wall_ci,
                         "cpu_ratio": cpu, "cpu_ratio_ci95": cpu_ci,
                         f"wall/cpu_vs_{TARGET}": f"{_against(wall_b)}/{_against(cpu_b)}",
                         "relink_cpu": relink, "relink_cpu_ci95": relink_ci,
                         # the breakdown (a second table: see SPLIT)
                         "probe_off_wall": med(ratio(walls, "probe", "off")),
                         "probe_off_cpu": off, "probe_off_cpu_ci95": off_ci,
                         "heapprof_cpu": med(ratio(cpus, "off", "noprof")),
                         "layout_cpu": med(ratio(cpus, "noprof", "bare")),
                         "imports_cpu": imports, "imports_cpu_ci95": imports_ci,
                         "timer_wall": med(ratio(walls, "timer", "bare")),
                         "probe_timer_wall": med(ratio(walls, "probe", "timer")),
                         "interval200_wall": med(ratio(walls, "probe200", "bare")),
                         "end_capture_s": statistics.median(capture_s) if capture_s else nan,
                         "metrics_read_us": statistics.median(metrics_ns) / 1e3 if metrics_ns else nan,
                         "memstats_read_us": statistics.median(memstats_ns) / 1e3 if memstats_ns else nan})
    return rows


# readcost: what one read costs the program's working goroutine (benchmarks/readcost, one process
# per row, the reader switched on and off between blocks of work). Work per block: ~50 ms each.
READCOST_WORK = {"cpu": ["-rounds", "300"], "alloc": ["-rounds", "1000"]}
READCOST_READS = ("wake", "metrics", "sample", "memstats")


def _readcost_run(go, exe: Path, d: Path, argv: list[str]) -> dict:
    """One process of benchmarks/readcost in its own folder: its JSON result."""
    d.mkdir()
    o = supervise([str(exe), *argv], d, go.env(), 600)
    if o.exit != "exited":
        raise SystemExit(f"error: benchmarks/readcost {' '.join(argv)}: {o.message or o.exit}: "
                         f"{(d / 'stderr').read_text().strip()[-300:]}")
    return json.loads((d / "stdout").read_text())


def readcost(repeat: int = 1, interval_ms: int = 2) -> list[dict]:
    """Cost of one read to the rest of the program, for each kind of read on a CPU-bound and an
    allocating worker; `repeat` processes per row, their groups of blocks pooled. A short
    interval gives many reads per block, so the cost per read is measured finely."""
    go = find_go()
    rows = []
    with tempfile.TemporaryDirectory(prefix="leaklab-bench-") as tmp:
        tmp = Path(tmp)
        exe = _bare(go, "readcost", tmp)
        for work, args in READCOST_WORK.items():
            for read in READCOST_READS:
                groups, callers, blocks, reads = [], [], [], []
                for i in range(repeat):
                    res = _readcost_run(go, exe, tmp / f"{work}-{read}-{i}", ["-work", work, "-read", read,
                                        "-interval", f"{interval_ms}ms", "-blocks", "200", *args])
                    groups += res["groups_us"]
                    callers.append(res["caller_us"])
                    blocks.append(res["block_ms"])
                    reads.append(res["reads_per_block"])
                lo, hi = _median_ci(groups)
                cost = statistics.median(groups)
                per_block = statistics.median(reads)
                rows.append({"work": work, "read": read, "interval_ms": interval_ms,
                             "block_ms": statistics.median(blocks), "reads_per_block": per_block,
                             "caller_us": statistics.median(callers), "program_us": cost,
                             "program_us_ci95": f"{lo:.0f} to {hi:.0f}",
                             "slowdown_pct": 100 * cost * per_block / (statistics.median(blocks) * 1e3)})
    return rows


# pacing: the probe's own sampling at its default interval, paced by a ticker (as it was) or by
# the garbage collector (as it is). Work per block: ~200 ms, so that each "on" block has a few samples.
PACING_WORK = {"cpu": ["-work", "cpu", "-rounds", "1100"], "alloc": ["-work", "alloc", "-rounds", "5000"],
               "gc-churn": ["-work", "alloc", "-rounds", "6500", "-live", "0"]}


def pacing(repeat: int = 1, interval_ms: int = 50, blocks: int = 160) -> list[dict]:
    """What the probe's sampling costs the program's working goroutine at the default interval,
    for both ways of pacing it (benchmarks/readcost -read sample, -pace timer | gc), in one process
    with the sampler switched on and off between blocks. `repeat` processes per row, pooled."""
    go = find_go()
    rows = []
    with tempfile.TemporaryDirectory(prefix="leaklab-bench-") as tmp:
        tmp = Path(tmp)
        exe = _bare(go, "readcost", tmp)
        for work, args in PACING_WORK.items():
            for pace in ("timer", "gc", "gc-reset") if work == "alloc" else ("timer", "gc"):
                pcts, blocks_ms, reads = [], [], []
                for i in range(repeat):
                    res = _readcost_run(go, exe, tmp / f"{work}-{pace}-{i}", [*args, "-read", "sample", "-pace", pace,
                                        "-interval", f"{interval_ms}ms", "-blocks", str(blocks)])
                    pcts += res["groups_pct"]
                    blocks_ms.append(res["block_ms"])
                    reads.append(res["reads_per_block"])
                lo, hi = _median_ci(pcts)
                block = statistics.median(blocks_ms)
                rows.append({"work": work, "pace": pace, "interval_ms": interval_ms, "block_ms": block,
                             "samples_per_s": 1e3 * statistics.median(reads) / block,
                             "slowdown_pct": statistics.median(pcts), "slowdown_pct_ci95": f"{lo:.2f} to {hi:.2f}"})
    return rows


def compare_time(repeat: int = 3) -> list[dict]:
    """Wall time of one `compare goroutine_channel` at 2 s (build cached)."""
    from harness.samples import compare
    rows = []
    for _ in range(repeat):
        t0 = time.monotonic()
        runs = compare("goroutine_channel", 2.0)
        rows.append({"compare_wall_s": time.monotonic() - t0,
                     "verdicts": "/".join(r.verdict.verdict for r in runs)})
    return rows


def lab_time(cold: bool = False, jobs: int = DEFAULT_JOBS) -> list[dict]:
    """Wall time of executing every lab in quick mode (as `make run-all` does)."""
    import os
    import subprocess
    env = dict(os.environ)
    tmp = None
    if cold:  # empty Go build cache and instrumented-binary cache
        tmp = tempfile.mkdtemp(prefix="leaklab-bench-cold-")
        env.update(GOCACHE=f"{tmp}/gocache", LEAKLAB_CACHE=f"{tmp}/leaklab")
    t0 = time.monotonic()
    res = subprocess.run([sys.executable, "-m", "tools.run_labs", "--jobs", str(jobs)], env=env,
                         capture_output=True, text=True)
    wall = time.monotonic() - t0
    if tmp:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    lines = res.stdout.strip().splitlines()
    ran = lines[-1] if lines else res.stderr.strip()[-200:]
    for line in lines:  # a lab that failed: its first error line, for whoever reads the table
        if line.startswith("FAIL"):
            ran += f"; {line[:160]}"
    wrong: list[str] = []
    right, total = _recorded_verdicts_right(Path(__file__).resolve().parent.parent / "build" / "labs", wrong)
    if wrong:
        ran += "; wrong: " + "; ".join(wrong)
    return [{"cache": "cold" if cold else "warm", "jobs": jobs, "wall_s": wall, "result": ran,
             "verdicts right": f"{right}/{total}"}]


def _recorded_verdicts_right(folder: Path, wrong: list[str] | None = None) -> tuple[int, int]:
    """How many leaky/fixed runs and untouched exercises recorded in executed labs got the
    expected verdict (leaky: leak, fixed: clean, exercise: still leaking); the others are
    appended to `wrong` as "lab: record label verdict"."""
    import nbformat
    from harness.notebook import recorded
    right = total = 0
    current = {nb.name for nb in LABS_DIR.glob("[0-9][0-9]_*.ipynb")}  # not a renamed lab's old copy
    for path in sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb") if p.name in current):
        for rec in recorded(nbformat.read(path, as_version=4)):
            checks = []
            if rec.get("name", "").startswith("exercise:"):
                checks.append(("exercise", rec.get("fixed") is False, "fixed" if rec.get("fixed") else "?"))
            for r in rec.get("runs", []):
                if r.get("label") in ("leaky", "fixed"):
                    checks.append((r["label"], r["verdict"] == ("leak" if r["label"] == "leaky" else "clean"),
                                   r["verdict"]))
            for label, ok, got in checks:
                total += 1
                right += ok
                if not ok and wrong is not None:
                    wrong.append(f"{path.stem}: {rec.get('name')} {label} {got}")
    return right, total


CANDIDATES = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0)
LABS_DIR = Path(__file__).resolve().parent.parent / "labs"


def lab_invocations(labs_dir: Path = LABS_DIR) -> list[dict]:
    """Every `lab.compare(sample, seconds, args=[...])` the notebooks make, read from their code
    (not run), with the seconds quick mode gives it. Names are resolved from the parameters cell
    run with quick=True, from literal assignments in the same cell and from `for x in <literal>`
    loops, which expand to one invocation per value. One row per (sample, args): `labs` lists the
    notebooks, `quick_s` is the shortest quick duration any of them uses."""
    import nbformat
    found: dict[tuple, dict] = {}
    for path in sorted(labs_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        cells = [c for c in nb.cells if c.cell_type == "code"]
        # The parameters cell as papermill runs it in quick mode, then every top-level `name = expr`
        # whose expression needs only names already known (`run_s = 1.0 if quick else duration`,
        # `cases = [...]`); calls into the lab fail on the unknown name `lab` and are skipped.
        env: dict = {}
        for c in cells:
            if "parameters" in c.metadata.get("tags", []):
                exec(c.source, {"__builtins__": {}}, env)
                env["quick"] = True
        trees = []
        for c in cells:
            code = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in c.source.splitlines())
            tree = ast.parse(code)
            trees.append(tree)
            if "parameters" in c.metadata.get("tags", []):
                continue
            for node in tree.body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    try:
                        env[node.targets[0].id] = eval(compile(ast.Expression(node.value), path.name, "eval"),
                                                       {"__builtins__": {"min": min, "max": max}}, dict(env))
                    except Exception:
                        pass
        for tree in trees:
            loops: dict[str, list] = {}
            for node in ast.walk(tree):
                if isinstance(node, ast.For) and isinstance(node.target, ast.Name):
                    it = node.iter
                    vals = env.get(it.id) if isinstance(it, ast.Name) else _literal(it)
                    if isinstance(vals, (list, tuple)):
                        loops[node.target.id] = list(vals)
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "compare" and isinstance(node.func.value, ast.Name)
                        and node.func.value.id == "lab"):
                    continue
                for binding in _bindings(node, loops):
                    scope = {**env, **binding}
                    sample = _resolve(node.args[0], scope)
                    seconds = _resolve(node.args[1], scope) if len(node.args) > 1 else 2.0
                    kw = {k.arg: k.value for k in node.keywords}
                    args = tuple(_resolve(kw["args"], scope)) if "args" in kw else ()
                    if not isinstance(sample, str) or not isinstance(seconds, (int, float)):
                        raise ValueError(f"{path.name}: cannot read lab.compare(...) at line {node.lineno}")
                    row = found.setdefault((sample, args), {"sample": sample, "args": list(args),
                                                            "labs": [], "quick_s": float(seconds)})
                    if path.stem[:2] not in row["labs"]:
                        row["labs"].append(path.stem[:2])
                    row["quick_s"] = min(row["quick_s"], float(seconds))
    return sorted(found.values(), key=lambda r: (r["labs"][0], r["sample"], r["args"]))


def _literal(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def _bindings(call, loops: dict[str, list]) -> list[dict]:
    """One name binding per combination of the loop variables the call uses."""
    names = sorted({n.id for n in ast.walk(call) if isinstance(n, ast.Name) and n.id in loops})
    return [dict(zip(names, combo)) for combo in itertools.product(*(loops[n] for n in names))]


def _resolve(node, scope: dict):
    if isinstance(node, ast.Name):
        if node.id not in scope:
            raise ValueError(f"name {node.id!r} is not a literal the bench can read")
        return scope[node.id]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_resolve(e, scope) for e in node.elts]
    return ast.literal_eval(node)


def time_to_verdict(runs: int = 20, samples: list[str] | None = None) -> list[dict]:
    """For every sample invocation a lab makes: the shortest run time (of CANDIDATES) at which
    leaky → leak in runs/runs, with leaky and fixed run side by side as `lab.compare` runs them,
    and fixed's false positives in those same pairs. `margin` = the lab's quick duration / ttv:
    below 1, quick mode runs the sample for less time than it reliably needs."""
    from harness.samples import compare
    rows = []
    for inv in lab_invocations():
        if samples and inv["sample"] not in samples:
            continue
        found, fp = None, 0
        for d in CANDIDATES:
            leaks = fps = 0
            for i in range(runs):
                leaky, fixed = compare(inv["sample"], d, args=inv["args"])
                leaks += leaky.verdict.leak
                fps += fixed.verdict.leak
                if leaks < i + 1:
                    break
            if leaks == runs:
                found, fp = d, fps
                break
        case = " ".join(inv["args"]) or "(default)"
        row = {"sample": inv["sample"], "args": case, "labs": ",".join(inv["labs"]), "quick_s": inv["quick_s"]}
        if found is None:
            rows.append({**row, "ttv_s": f"> {CANDIDATES[-1]}", "leaky_leak": f"<{runs}/{runs}",
                         "fixed_false_pos": "-", "margin": "< 1"})
            continue
        rows.append({**row, "ttv_s": found, "leaky_leak": f"{runs}/{runs}", "fixed_false_pos": f"{fp}/{runs}",
                     "margin": f"{inv['quick_s'] / found:.1f}x"})
    return rows


def scale(durations=(10, 60)) -> list[dict]:
    """Harness cost as a run gets longer: stream size, parse, verdict and plot times, harness RSS."""
    import resource
    from harness import collect
    from harness.plot import plot_runs
    from harness.samples import run_sample
    from harness.verdict import decide
    rows = []
    for d in durations:
        t0 = time.monotonic()
        r = run_sample("goroutine_channel", "fixed", d, keep=None)
        run_wall = time.monotonic() - t0
        text = "\n".join(__import__("json").dumps(s) for s in r.samples)
        t1 = time.monotonic()
        collect.parse_stream(text)
        t2 = time.monotonic()
        decide(r.samples, r.sites, r.exit)
        t3 = time.monotonic()
        fig = plot_runs([r])
        fig.savefig(io.BytesIO(), format="png")
        t4 = time.monotonic()
        __import__("matplotlib.pyplot").pyplot.close(fig)
        rows.append({"run_s": d, "samples": len(r.samples), "stream_kB": len(text) / 1e3,
                     "parse_ms": (t2 - t1) * 1e3, "verdict_ms": (t3 - t2) * 1e3, "plot_ms": (t4 - t3) * 1e3,
                     "overhead_s": run_wall - d,
                     "harness_maxrss_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3})
    return rows


# Sections printed as two tables, the second from this key on (each row's first key repeated).
SPLIT = {"overhead": "probe_off_wall"}


def _tables(what: str, rows: list[dict]) -> str:
    if what not in SPLIT or not rows or SPLIT[what] not in rows[0]:
        return _table(rows)
    keys = list(rows[0])
    at, first = keys.index(SPLIT[what]), keys[0]
    # Columns with nothing in any row (arms left out with --arms, intervals of too few rounds) go.
    shown = [k for k in keys if any(r[k] != "-" for r in rows)]
    head, tail = [k for k in shown if keys.index(k) < at], [k for k in shown if keys.index(k) >= at]
    return (_table([{k: r[k] for k in head} for r in rows]) + "\n\n"
            + _table([{first: r[first], **{k: r[k] for k in tail}} for r in rows]))


def _table(rows: list[dict]) -> str:
    if not rows:
        return "(no rows)"
    keys = list(rows[0])
    fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    widths = [max(len(k), *(len(fmt(r[k])) for r in rows)) for k in keys]
    lines = ["  ".join(k.ljust(w) for k, w in zip(keys, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(fmt(r[k]).ljust(w) for k, w in zip(keys, widths)) for r in rows]
    return "\n".join(lines)


SECTIONS = {
    "overhead": ("Probe overhead at the default sampling interval (50 ms), target ≤ 1.02. Each round runs "
                 "seven arms (eight with --repeat 4 or more) back to back, in a random order, and ratios are taken within the round "
                 "(median over rounds, with a 95 % bootstrap interval): bare_cpu_p10_p90 = how far the bare "
                 "program's own runs spread (10th-90th percentile / median); wall_ratio/cpu_ratio = probe / bare "
                 "`go build`; wall/cpu_vs_1.02 = where their intervals lie against the target: met (wholly at or "
                 "below), missed (wholly above), open (straddling it); relink_cpu = the bare program relinked "
                 f"with a few bytes of dead code in package main ({len(RELINKS)} builds, by round) / bare: a "
                 "control, what a change that costs nothing reads as. The second table breaks the cost down: "
                 "probe_off_* = probe / the same binary with its probe silent, i.e. the probe's own cost; "
                 "heapprof_cpu = heap-profile sampling, which linking runtime/pprof turns on (as any "
                 "net/http/pprof import does); layout_cpu = the silent binary without heap profiling / bare: what "
                 "its other differences cost (the packages it links, its code layout); imports_cpu = the bare "
                 "program linking what the probe links from the standard library (runtime/pprof, "
                 "runtime/trace, runtime/metrics), never calling it / bare: how much of that the linking "
                 "alone costs; "
                 "timer_wall = the bare program with one goroutine waiting on a timer that never fires in the "
                 "run / bare: what merely having a pending timer costs this program, apart from waking up; "
                 "probe_timer_wall = probe / that program, the probe's cost to a program that already has a "
                 "timer, as nearly every real one does; interval200_wall = the probe sampling every 200 ms "
                 "(`check --interval 200ms`) / bare. end_capture_s: the probe's work after main returns (a "
                 "forced GC, a second one only when finalizers were left to run, and the profiles); "
                 "metrics_read_us / memstats_read_us: one runtime/metrics read of the probe's 12 metrics / one "
                 "runtime.ReadMemStats (stop-the-world), as the probe timed them."),
    "readcost": ("What one read of the runtime's numbers costs the program, not only its caller "
                 "(benchmarks/readcost: in one process, a goroutine does fixed blocks of work while a reader "
                 "goroutine reads every interval_ms, switched on and off between blocks, on-off-off-on; code "
                 "layout and process start-up, which move separate runs by more than this, cancel out). "
                 "wake = the reader's ticker alone; metrics = runtime/metrics.Read of the probe's 12 metrics; "
                 "sample = what the probe does each interval (that read, the goroutine count, one JSON line "
                 "written to a file); memstats = runtime.ReadMemStats. caller_us: the read's own duration, as its "
                 "caller timed it; program_us: the working goroutine's extra time per read (median over groups "
                 "of four blocks, 95 % bootstrap interval); slowdown_pct: the same as a share of its work at "
                 "this interval."),
    "pacing": ("What the probe's sampling costs the program at the default interval, paced by a ticker "
               "(`timer`, how the probe sampled before) or by the garbage collector (`gc`, how it samples now: "
               "a finalizer re-armed every collection takes the sample at the collection nearest to the "
               "interval, and a timer takes it only when collections come less than twice an interval; `gc-reset`, the same "
               "with the timer pushed past the next sample after each one, which wakes a thread each time). "
               "benchmarks/readcost -read sample, in one process, the sampler switched on and off between "
               "blocks of work, on-off-off-on: slowdown_pct is the working goroutine's extra time in the \"on\" "
               "blocks (median over groups of four, 95 % bootstrap interval); samples_per_s: the samples taken "
               "while on."),
    "compare": "Wall time of one `compare goroutine_channel --duration 2s` (build cached).",
    "lab": (f"Whole lab in quick mode (every notebook under papermill, {DEFAULT_JOBS} at a time, after compiling what they "
            "need once; `result` counts the labs that ran without error; `verdicts right`: the leaky → leak, "
            "fixed → clean and untouched exercise → still leaking verdicts the notebooks recorded, also "
            "asserted by `make test`); targets ≤ 60 s warm, ≤ 150 s cold."),
    "ttv": ("Time to verdict, for every sample invocation the labs make (read from the notebooks): the "
            "shortest run time with leaky → leak in 20/20 runs, leaky and fixed side by side as the labs run "
            "them, and fixed's false positives in those runs (targets ≤ 1.0 s and 0/20). quick_s: the run "
            "time the labs give it in quick mode; margin = quick_s / ttv_s."),
    "scale": "Harness cost as runs get longer (no quadratic re-parsing: parse/verdict/plot stay small).",
}


def _rows(what: str, repeat: int, long: bool, work: float = 1.0,
          arms: tuple[str, ...] = OVERHEAD_ARMS) -> list[dict]:
    if what == "overhead":
        return overhead(repeat, work, arms)
    if what == "compare":
        return compare_time(repeat)
    if what == "readcost":  # processes per row; `all` passes ttv's 20, far more than this needs
        return readcost(min(repeat, 5))
    if what == "pacing":  # processes per row, as readcost
        return pacing(min(repeat, 5))
    if what == "lab":  # one cold run, then `repeat` warm ones (runs differ by several seconds here)
        return lab_time(cold=True) + [row for _ in range(min(repeat, 5)) for row in lab_time(cold=False)]
    if what == "ttv":
        return time_to_verdict(runs=repeat)
    if what == "scale":
        return scale((10, 60, 600) if long else (10, 60))
    raise ValueError(what)


def main(what: str, repeat: int, long: bool = False, readme: bool = False, work: float = 1.0,
         arms: str | None = None) -> int:
    chosen = tuple(a.strip() for a in arms.split(",") if a.strip()) if arms is not None else OVERHEAD_ARMS
    if unknown := [a for a in chosen if a not in OVERHEAD_ARMS]:
        print(f"error: unknown overhead arm {unknown[0]!r} (arms: {', '.join(OVERHEAD_ARMS)})", file=sys.stderr)
        return 2
    if repeat < 1:
        print("error: --repeat must be at least 1", file=sys.stderr)
        return 2
    if not 0 < work <= 100:
        print("error: --work must be above 0 and at most 100", file=sys.stderr)
        return 2
    parts = []
    for w in (list(SECTIONS) if what == "all" else [what]):
        table = _tables(w, _rows(w, repeat, long, work, chosen))
        print(SECTIONS[w])
        print(table, end="\n\n", flush=True)
        parts.append(f"**{w}** — {SECTIONS[w]}\n\n```\n{table}\n```\n")
        if readme:
            write_readme_block(w, parts[-1])
    return 0


def write_readme_block(name: str, text: str) -> None:
    """Put `text` between benchmarks/README.md's `<!-- bench:NAME -->` markers (appended if missing)."""
    readme = BENCH_DIR / "README.md"
    body = readme.read_text()
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    new = f"{start}\n{text.rstrip()}\n{end}"
    if start in body and end in body:
        body = body[: body.index(start)] + new + body[body.index(end) + len(end):]
    else:
        body = body.rstrip() + "\n\n" + new + "\n"
    readme.write_text(body)
