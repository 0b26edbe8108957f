"""How stable is the capstone's check? Run it N times on the service untouched, with the reference
solution, with each leak's fix alone, and with a "fix" that breaks the service, and count how often
each leak was attributed right (untouched: still leaking; its own fix or the solution: fixed; another
leak's fix alone: still leaking) and the service's health was judged right.

    .venv/bin/python benchmarks/capstone_stability.py               # N = 20 (about 25 minutes)
    .venv/bin/python benchmarks/capstone_stability.py --repeat 5
    .venv/bin/python benchmarks/capstone_stability.py --readme     # also into benchmarks/README.md

Each configuration runs on its own copy of go_samples (LEAKLAB_SAMPLES), built once before it is
timed, so `wall_s` is the check itself: build cache hit, run, profiles, scoring.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import capstone  # noqa: E402
from harness.build import build  # noqa: E402

BROKEN = ("internal/api/products.go", "writeJSON(w, http.StatusOK, productPage{",
          "writeJSON(w, http.StatusInternalServerError, productPage{")


def configs() -> dict[str, tuple[str, ...]]:
    """name -> the leak classes whose reference fix is applied."""
    out = {"untouched": (), "solution": capstone.CLASSES}
    out.update({f"{k} fix alone": (k,) for k in capstone.CLASSES})
    out["broken"] = capstone.CLASSES
    return out


def expected(name: str, fixes: tuple[str, ...], leak: str) -> str:
    return "fixed" if leak in fixes else "still leaking"


def prepare(root: Path, name: str, fixes: tuple[str, ...]) -> Path:
    dst = root / name.replace(" ", "_") / "go_samples"
    shutil.copytree(ROOT / "go_samples", dst, ignore=shutil.ignore_patterns(".*"))
    os.environ["LEAKLAB_SAMPLES"] = str(dst)
    capstone.reset()
    if fixes:
        capstone.apply_solution(*fixes)
    if name == "broken":
        rel, old, new = BROKEN
        p = dst / "capstone" / rel
        text = p.read_text()
        assert old in text, f"{rel} changed: update BROKEN"
        p.write_text(text.replace(old, new))
    build(capstone.main_package())
    return dst


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--duration", type=float, default=capstone.DEFAULT_DURATION)
    ap.add_argument("--only", help="comma-separated configuration names (default: all)")
    ap.add_argument("--debug", action="store_true", help="print where a missed leak's numbers came from")
    ap.add_argument("--readme", action="store_true", help="write the table into benchmarks/README.md")
    a = ap.parse_args()
    chosen = configs()
    if a.only:
        chosen = {k: v for k, v in chosen.items() if k in a.only.split(",")}
    load0 = os.getloadavg()
    t0 = time.monotonic()
    rows = []
    with tempfile.TemporaryDirectory(prefix="leaklab-capstone-bench-") as tmp:
        for name, fixes in chosen.items():
            prepare(Path(tmp), name, fixes)
            right = {k: 0 for k in capstone.CLASSES}
            health_right = all_right = 0
            walls, misses = [], []
            for i in range(a.repeat):
                res = capstone.check(a.duration)
                walls.append(res.wall_s)
                ok_leaks = True
                for leak in capstone.CLASSES:
                    got = res.leak(leak).state if res.leaks else "not measured"
                    if got == expected(name, fixes, leak):
                        right[leak] += 1
                    else:
                        ok_leaks = False
                        misses.append(f"run {i + 1}: {res.leak(leak).line if res.leaks else res.line}"
                                      + (f" {res.leak(leak).debug}" if a.debug and res.leaks else ""))
                want_healthy = name != "broken"
                if res.healthy == want_healthy:
                    health_right += 1
                else:
                    misses.append(f"run {i + 1}: {res.line}")
                all_right += ok_leaks and res.healthy == want_healthy
                print(f"  {name:22} run {i + 1:2}/{a.repeat}: {res.state:22} {res.wall_s:5.1f} s  "
                      + " ".join(f"{s.key}={s.rate:.0f}" if s.rate is not None else f"{s.key}=?" for s in res.leaks),
                      flush=True)
            rows.append((name, a.repeat, right, health_right, all_right, walls, misses))
    os.environ.pop("LEAKLAB_SAMPLES", None)

    n_cpu = os.cpu_count()
    title = (f"Capstone check stability: {a.repeat} runs per configuration, {a.duration:g} s of load each; "
             f"{n_cpu} CPUs, load average {load0[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; "
             f"{time.monotonic() - t0:.0f} s in all")
    print(f"\n{title}\n")
    out = []
    head = ["configuration", "runs"] + list(capstone.CLASSES) + ["health", "all right", "wall_s median", "wall_s max"]
    table = [head]
    for name, n, right, health, allr, walls, _ in rows:
        table.append([name, str(n)] + [f"{right[k]}/{n}" for k in capstone.CLASSES]
                     + [f"{health}/{n}", f"{allr}/{n}", f"{statistics.median(walls):.1f}", f"{max(walls):.1f}"])
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for j, r in enumerate(table):
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    print("\n".join(out))
    if a.readme and not a.only:
        from benchmarks.bench import write_readme_block
        write_readme_block("capstone", f"**capstone** — `python benchmarks/capstone_stability.py --repeat {a.repeat}`: "
                           f"{title}.\n\n```\n" + "\n".join(out) + "\n```\n")
    for name, *_, misses in rows:
        for m in misses[:5]:
            print(f"miss, {name}: {m}")
    return 0 if all(allr == n for _, n, _, _, allr, _, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
