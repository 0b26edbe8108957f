"""`python -m benchmarks WHAT`: print the lab's performance figures (see bench.py)."""

from __future__ import annotations

import argparse
import sys

from . import bench

CHOICES = ["overhead", "readcost", "pacing", "compare", "lab", "ttv", "scale", "all"]
DEFAULT_REPEAT = {"ttv": 20, "all": 20, "lab": 3, "readcost": 2, "pacing": 2}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description="print the lab's performance figures")
    ap.add_argument("what", nargs="?", default="overhead", choices=CHOICES)
    ap.add_argument("--repeat", type=int, default=None,
                    help="repetitions (default 5; 20 for ttv; readcost, pacing: processes per row, default 2, at most 5; "
                         "lab: warm runs after one cold run, default 3)")
    ap.add_argument("--long", action="store_true", help="scale: include a 600 s run")
    ap.add_argument("--readme", action="store_true", help="write the figures into benchmarks/README.md")
    ap.add_argument("--work", type=float, default=1.0,
                    help="overhead: scale the benchmark programs' work (default 1; 0.25 for a quick look)")
    ap.add_argument("--arms", default=None,
                    help="overhead: only these arms, comma-separated (bare and probe always run; default: all)")
    a = ap.parse_args(argv)
    repeat = a.repeat if a.repeat is not None else DEFAULT_REPEAT.get(a.what, 5)
    try:
        return bench.main(a.what, repeat, long=a.long, readme=a.readme, work=a.work, arms=a.arms)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
