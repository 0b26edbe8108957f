"""`python -m harness bench`: performance figures, printed as tables (never asserted in tests)."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from .build import build
from .supervise import supervise
from .toolchain import find_go

BENCH_DIR = Path(__file__).resolve().parent.parent / "benchmarks"
PROGRAMS = {"cpu": ["-rounds", "12000000"], "alloc": ["-rounds", "40000"]}


def _bare(go, name: str, out: Path) -> Path:
    exe = out / f"{name}-bare"
    res = go.run("build", "-o", str(exe), f"./{name}", cwd=BENCH_DIR)
    if res.returncode != 0:
        raise SystemExit(f"error: cannot build benchmarks/{name}: {res.stderr.strip()}")
    return exe


def overhead(repeat: int = 5) -> list[dict]:
    """Instrumented vs bare wall and CPU time of fixed work, runs alternating, medians compared."""
    go = find_go()
    rows = []
    with tempfile.TemporaryDirectory(prefix="leaklab-bench-") as tmp:
        tmp = Path(tmp)
        for name, args in PROGRAMS.items():
            bare, probed = _bare(go, name, tmp), build(BENCH_DIR / name, go).path
            walls = {"bare": [], "probe": []}
            cpus = {"bare": [], "probe": []}
            memstats_ns, capture_s = [], []
            for i in range(repeat):
                for kind in (("bare", "probe") if i % 2 == 0 else ("probe", "bare")):
                    d = tmp / f"{name}-{kind}-{i}"
                    d.mkdir()
                    env = go.env()
                    exe = bare
                    if kind == "probe":
                        exe = probed
                        env.update(LEAKLAB_DIR=str(d), LEAKLAB_INTERVAL_MS="50", LEAKLAB_GC_EVERY_MS="250",
                                   LEAKLAB_DEADLINE_MS="600000", GODEBUG="gctrace=1")
                    o = supervise([str(exe), *args], d, env, 600)
                    walls[kind].append(o.wall_s)
                    cpus[kind].append(o.cpu_s)
                    if kind == "probe" and (d / "metrics.jsonl").exists():
                        import json
                        for line in (d / "metrics.jsonl").read_text().splitlines():
                            rec = json.loads(line) if line.startswith("{") else {}
                            if "memstats" in rec:
                                memstats_ns.append(rec["memstats"]["ReadCostNs"])
                            if rec.get("event") == "ending":
                                t_end = rec["t"]
                            if rec.get("event") == "end":
                                capture_s.append(rec["t"] - t_end)
            wb, wp = statistics.median(walls["bare"]), statistics.median(walls["probe"])
            cb, cp = statistics.median(cpus["bare"]), statistics.median(cpus["probe"])
            rows.append({"program": name, "runs": repeat, "bare_wall_s": wb, "probe_wall_s": wp,
                         "wall_ratio": wp / wb, "bare_cpu_s": cb, "probe_cpu_s": cp, "cpu_ratio": cp / cb,
                         "end_capture_s": statistics.median(capture_s) if capture_s else float("nan"),
                         "memstats_read_us": statistics.median(memstats_ns) / 1e3 if memstats_ns else float("nan")})
    return rows


def compare_time(repeat: int = 3) -> list[dict]:
    """Wall time of one `compare goroutine_channel` at 2 s (build cached)."""
    from .samples import compare
    rows = []
    for _ in range(repeat):
        t0 = time.monotonic()
        runs = compare("goroutine_channel", 2.0)
        rows.append({"compare_wall_s": time.monotonic() - t0,
                     "verdicts": "/".join(r.verdict.verdict for r in runs)})
    return rows


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


def main(what: str, repeat: int) -> int:
    if repeat < 1:
        print("error: --repeat must be at least 1", file=sys.stderr)
        return 2
    if what == "overhead":
        print("Probe overhead: instrumented / bare, medians of alternating runs (target ≤ 1.02)")
        print(_table(overhead(repeat)))
        print("end_capture_s: time the probe spends after main returns (forced GCs + profiles);\n"
              "it is included in probe_wall_s. memstats_read_us: one runtime.ReadMemStats (stop-the-world).")
    elif what == "compare":
        print("Wall time of `compare goroutine_channel --duration 2s`")
        print(_table(compare_time(repeat)))
    return 0
