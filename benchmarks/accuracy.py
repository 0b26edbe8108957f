"""Verdict accuracy of the harness on tests/corpus, as a table of measured figures.

    .venv/bin/python benchmarks/accuracy.py [--repeat N] [--only SUBSTRING]

Every corpus program is built with the probe and run N times (a program that declares
`// repeat: k` is run N*k times, it is scheduling-dependent); each run is scored against
the program's header (see tests/corpus/corpusspec.py):

- verdict: leak programs judged "leak", clean programs judged "clean";
- site recall: declared sites reported with the same entry function and wait reason,
  separately for sites declared `proven` (and how many of those were reported proven) and
  for sites declared `suspect`/`any`;
- false positives: clean programs judged "leak" (or proven-leaked sites on them), and
  extra sites on leak programs (reported function + wait reason that no declaration names);
- runs that did not end normally (crash, hang, build error) count as misses.

Known misses (`// known-miss:`) are in the `all` row and every category row, and are split
out in the `all but known-miss` / `known-miss only` rows.
Nothing here is hard-coded: every number is measured in this run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "corpus"))
os.environ.setdefault("LEAKLAB_NO_PROGRESS", "1")

import corpusspec as spec  # noqa: E402
from harness.errors import LeakLabError  # noqa: E402
from harness.measure import check  # noqa: E402
from harness.toolchain import find_go  # noqa: E402

CATEGORIES = ["channel", "mutex", "waitgroup", "cond", "context", "timer", "heap",
              "scheduling-dependent", "GOMAXPROCS=1", "main-returns-immediately"]


class Tally:
    """Counts for one row of the table."""

    def __init__(self):
        self.cases: set[str] = set()
        self.runs = 0
        self.leak_runs = self.leak_ok = 0
        self.clean_runs = self.clean_ok = 0
        self.fp_verdict = 0           # clean program judged leak
        self.fp_proven = 0            # clean runs with a proven-leaked site
        self.proven_decl = self.proven_found = self.proven_as_proven = 0
        self.susp_decl = self.susp_found = 0
        self.extra_sites = self.runs_with_extra = 0
        self.heap_decl = self.heap_found = 0
        self.abnormal = 0             # crashed / hung / build error
        self.wall = 0.0

    def add(self, case: spec.Case, run, error: str | None, wall: float):
        self.cases.add(case.name)
        self.runs += 1
        self.wall += wall
        reported = run.sites if run is not None else []
        ok = run is not None and run.ok
        if not ok:
            self.abnormal += 1
        verdict = run.verdict.verdict if ok else None
        if case.expect == "leak":
            self.leak_runs += 1
            self.leak_ok += verdict == "leak"
            for s in case.sites:
                found, proven = spec.site_found(s, reported) if ok else (False, False)
                if s.proof == "proven":
                    self.proven_decl += 1
                    self.proven_found += found
                    self.proven_as_proven += proven
                else:
                    self.susp_decl += 1
                    self.susp_found += found
            if case.heap_growing:
                self.heap_decl += 1
                self.heap_found += bool(ok and run.verdict.heap and run.verdict.heap.growing)
            extra = spec.undeclared(case, reported) if ok else []
            self.extra_sites += len(extra)
            self.runs_with_extra += bool(extra)
        else:
            self.clean_runs += 1
            self.clean_ok += verdict == "clean"
            self.fp_verdict += verdict == "leak"
            self.fp_proven += any(s.proven for s in reported)


def _frac(a: int, b: int) -> str:
    return f"{a}/{b} {100 * a / b:5.1f}%" if b else "-"


def table(rows: list[tuple[str, Tally]]) -> str:
    cols = ["category", "cases", "runs", "leak->leak", "clean->clean", "FP clean->leak",
            "proven sites found", "...as proven", "suspect sites found", "heap growth",
            "extra sites (runs)", "abnormal", "s/run"]
    lines = []
    for name, t in rows:
        lines.append([name, str(len(t.cases)), str(t.runs), _frac(t.leak_ok, t.leak_runs),
                      _frac(t.clean_ok, t.clean_runs), _frac(t.fp_verdict, t.clean_runs),
                      _frac(t.proven_found, t.proven_decl), _frac(t.proven_as_proven, t.proven_decl),
                      _frac(t.susp_found, t.susp_decl), _frac(t.heap_found, t.heap_decl),
                      f"{t.extra_sites} ({t.runs_with_extra})" if t.leak_runs else "-",
                      str(t.abnormal), f"{t.wall / t.runs:.2f}" if t.runs else "-"])
    widths = [max(len(c), *(len(r[i]) for r in lines)) for i, c in enumerate(cols)]
    fmt = lambda r: "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths)))
    out = [fmt(cols), "  ".join("-" * w for w in widths)]
    out += [fmt(r) for r in lines]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=1, help="runs per program (default 1)")
    ap.add_argument("--only", default="", help="only programs whose name contains this")
    ap.add_argument("--readme", action="store_true", help="also write the figures into benchmarks/README.md")
    args = ap.parse_args(argv)
    if args.readme:
        import contextlib
        import io
        buf = io.StringIO()
        with contextlib.redirect_stdout(_Tee(sys.stdout, buf)):
            code = _report(args)
        from benchmarks.bench import write_readme_block
        write_readme_block("accuracy", f"**accuracy** — `python benchmarks/accuracy.py --repeat {args.repeat}`\n\n"
                           f"```\n{buf.getvalue().strip()}\n```")
        return code
    return _report(args)


class _Tee:
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for s in self.streams:
            s.write(text)

    def flush(self):
        for s in self.streams:
            s.flush()


def _report(args) -> int:
    if args.repeat < 1:
        print("error: --repeat must be at least 1", file=sys.stderr)
        return 2
    go = find_go()
    cases = [c for c in spec.load() if args.only in c.name]
    if not cases:
        print(f"error: no corpus program matches {args.only!r}", file=sys.stderr)
        return 2
    overall, known, expected, by_cat = Tally(), Tally(), Tally(), defaultdict(Tally)
    misses: dict[str, list[str]] = defaultdict(list)
    extras: dict[str, Counter] = defaultdict(Counter)
    t_start = time.monotonic()
    for n, case in enumerate(cases, 1):
        runs = args.repeat * case.repeat
        for i in range(runs):
            print(f"\r[{n}/{len(cases)}] {case.name} run {i + 1}/{runs}\033[K", end="", file=sys.stderr, flush=True)
            t0 = time.monotonic()
            run, error = None, None
            try:
                run = check(case.path, case.args, case.duration, go=go, env=case.env or None)
            except LeakLabError as e:
                error = str(e)
            wall = time.monotonic() - t0
            why = [f"error: {error}"] if error else spec.problems(case, run)
            if why:
                misses[case.name].append("; ".join(why))
            if case.expect == "leak" and run is not None and run.ok:
                for s in spec.undeclared(case, run.sites):
                    extras[case.name][f"{s.function} [{s.wait_reason}]"] += 1
            targets = [overall] + [by_cat[c] for c in case.categories if c in CATEGORIES]
            targets.append(known if case.known_miss else expected)
            for t in targets:
                t.add(case, run, error, wall)
    print("\r\033[K", end="", file=sys.stderr)
    go_line = f"{go.version}, {os.cpu_count()} CPUs, {time.monotonic() - t_start:.0f} s"
    print(f"Verdict accuracy on tests/corpus ({len(cases)} programs, --repeat {args.repeat}; {go_line})\n")
    rows = [("all", overall)]
    if known.runs:
        rows += [("all but known-miss", expected), ("known-miss only", known)]
    rows += [(c, by_cat[c]) for c in CATEGORIES if c in by_cat]
    print(table(rows))
    leak_sites = overall.proven_decl + overall.susp_decl
    print(f"\nsite recall (entry function + wait reason), all declared sites: "
          f"{_frac(overall.proven_found + overall.susp_found, leak_sites)}")
    if extras:
        print("\nextra (undeclared) sites reported on leak programs:")
        for name, cnt in sorted(extras.items()):
            print(f"  {name}: " + ", ".join(f"{k} x{v}" for k, v in cnt.most_common()))
    if misses:
        print("\nruns that did not match their declaration:")
        for name, why in sorted(misses.items()):
            first = why[0] if len(why[0]) < 160 else why[0][:157] + "..."
            print(f"  {name}: {len(why)} run(s); e.g. {first}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
