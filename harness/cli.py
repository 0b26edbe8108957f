"""`python -m harness …`: a thin layer over the library; errors are one line, never a traceback."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .errors import BuildError, LeakLabError

EXIT_CLEAN, EXIT_LEAK, EXIT_ERROR, EXIT_RUN = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        cmd = self.prog.removeprefix("python -m harness").strip()
        self.exit(EXIT_ERROR, f"error: {message} (see `python -m harness {cmd + ' ' if cmd else ''}-h`)\n")


def _seconds(text: str, bare: float = 1.0) -> float | None:
    """"500ms", "2s", "1m" in seconds; a bare number counts in units of `bare` seconds; None if
    it is not a number."""
    t = text.strip().lower()
    mult = bare
    for suffix, m in (("ms", 1e-3), ("s", 1.0), ("m", 60.0)):
        if t.endswith(suffix):
            t, mult = t[: -len(suffix)], m
            break
    try:
        return float(t) * mult
    except ValueError:
        return None


def _duration(text: str) -> float:
    v = _seconds(text)
    if v is None:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 2, 2s, 500ms)")
    if not 0 < v <= 3600:
        raise argparse.ArgumentTypeError(f"duration must be between 0 and 1h, got {text!r}")
    return v


def _interval_ms(text: str) -> int:
    """The probe's sampling interval, "50ms" or "0.1s" (bare numbers are milliseconds), in ms."""
    v = _seconds(text, bare=1e-3)
    if v is None:
        raise argparse.ArgumentTypeError(f"not an interval: {text!r} (e.g. 50ms, 0.2s)")
    if not 0.005 <= v <= 10:
        raise argparse.ArgumentTypeError(f"the interval must be between 5ms and 10s, got {text!r}")
    return round(v * 1e3)


def _mib(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of MiB: {text!r}") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"the memory cap must be positive, got {v}")
    return v << 20


def summary(run) -> str:
    """A short human summary of one run."""
    v = run.verdict
    lines = [f"{run.label}: {v.headline}",
             f"  ended: {run.exit} after {run.wall_s:.2f} s ({run.go_version}), peak RSS {run.peak_rss / 2**20:.1f} MiB"
             + (f" — {run.message}" if run.message else "")]
    if v.confidence != "clean":
        lines.append(f"  confidence: {v.confidence}")
    classes = getattr(v, "site_classes", {})
    for i, s in enumerate(run.sites[:8]):
        ev = classes.get(i)
        tag = ev.kind if ev else ("proven" if s.proven else "suspected")
        if ev and ev.kind in ("parked", "inconclusive", "ignored", "running") and not ev.leak:
            tag += ", not counted"
        lines.append(f"  {s.count:>6,} × {s.function} [{s.wait_reason}] at {s.location}, "
                     f"created at {s.created_by or '?'} ({tag})")
    if len(run.sites) > 8:
        lines.append(f"  … {len(run.sites) - 8} more sites (see --json)")
    for r in v.reasons:
        lines.append(f"  - {r}")
    for e in v.evidence:
        if e.kind == "inconclusive" and e.line not in v.headline:
            lines.append(f"  - inconclusive: {e.line}")
    if any(e.subject == "heap_live" and e.kind in ("growing", "inconclusive") for e in v.evidence):
        for row in run.heap_growth:
            rate = f", {row['bytes_per_s'] / 1e3:,.0f} kB/s" if row.get("bytes_per_s") else ""
            lines.append(f"  - heap grew at {row['function']}: +{row['bytes'] / 1e3:,.0f} kB in use between "
                         f"{row['from_s']:.2f} s and {row['to_s']:.2f} s{rate}")
    return "\n".join(lines)


def _finish(runs, args) -> int:
    from .plot import plot_runs
    for run in runs:
        print(summary(run))
        for pattern in getattr(run, "ignore_unmatched", []):
            print(f"warning: {pattern} matched no goroutine of {run.label}", file=sys.stderr)
    if getattr(args, "json", None):
        data = runs[0].report() if len(runs) == 1 else {"runs": [r.report() for r in runs]}
        Path(args.json).write_text(json.dumps(data, indent=1))
    if getattr(args, "png", None):
        plot_runs(runs).savefig(args.png, dpi=110)
    bad = [r for r in runs if not r.ok]
    if bad:
        print(f"error: {bad[0].label}: {bad[0].message}", file=sys.stderr)
        return EXIT_RUN
    # One program judged (check, run): its verdict is the exit status, so it can gate CI.
    return EXIT_LEAK if len(runs) == 1 and runs[0].verdict.leak else EXIT_CLEAN


def _download_corpus_modules() -> int:
    """The verdict-accuracy corpus (tests/corpus, in a repository checkout) has programs on real
    third-party modules: download them with the rest, so its tests run offline after set-up."""
    from .toolchain import find_go
    corpus = Path(__file__).resolve().parent.parent / "tests" / "corpus"
    if not (corpus / "go.mod").exists():
        return EXIT_CLEAN
    res = find_go().run("mod", "download", cwd=corpus, timeout=900)
    if res.returncode != 0:
        lines = (res.stderr or res.stdout).strip().splitlines()
        print(f"error: go mod download in tests/corpus failed: {lines[0] if lines else res.returncode}", file=sys.stderr)
        return EXIT_ERROR
    print("tests/corpus modules downloaded")
    return EXIT_CLEAN


def main(argv: list[str] | None = None) -> int:
    p = _Parser(prog="python -m harness", description="Go Leak Lab harness")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)

    c = sub.add_parser("check", help="build any Go main package with the probe, run it, judge it")
    c.add_argument("path", help="a directory holding package main, or one .go file")
    c.add_argument("--arg", action="append", default=[], help="an argument for the program (repeatable)")
    c.add_argument("--duration", type=_duration, default=5.0, help="stop the program after this (default 5s)")
    c.add_argument("--rss-cap", type=_mib, default=512 << 20, metavar="MIB", help="memory cap (default 512)")
    c.add_argument("--interval", type=_interval_ms, default=None, metavar="MS",
                   help="the probe's sampling interval (default 50ms); on programs that allocate hard, each "
                        "sample costs more than its read: a longer interval costs them less, with fewer points")
    c.add_argument("--json", metavar="FILE", help="write the full report here")
    c.add_argument("--png", metavar="FILE", help="save the figure here")
    c.add_argument("--gctrace", action="store_true", help="also record GODEBUG=gctrace=1, one row per GC, in the JSON report")
    c.add_argument("--strict", action="store_true",
                   help="goleak's rule: every goroutine still blocked when main returned is a leak (library "
                        "workers too), and so is growth too short to judge")
    c.add_argument("--ignore-top", action="append", default=[], metavar="FUNC",
                   help="leave out goroutines with FUNC at the top of their stack (goleak's IgnoreTopFunction; "
                        "repeatable)")
    c.add_argument("--ignore-created-by", action="append", default=[], metavar="FUNC",
                   help="leave out goroutines created by FUNC (goleak's IgnoreCreatedBy; repeatable)")
    c.add_argument("--test", action="store_true",
                   help="PATH is a package (directory or import path): run its tests under the probe and report "
                        "the goroutines each test left behind and the heap the suite retained")
    c.add_argument("--run", metavar="REGEX", help="with --test: only the tests go test's -run REGEX selects")
    c.add_argument("--timeout", type=_duration, default=None, metavar="D",
                   help="with --test: the tests' timeout (-test.timeout; default 10m)")

    w = sub.add_parser("watch", help="follow a running Go service through its net/http/pprof endpoint")
    w.add_argument("url", nargs="+", help="the service's URL (http:// or https://), or two to compare side by side")
    w.add_argument("--every", type=_duration, default=1.0, metavar="S", help="poll every S (default 1s)")
    w.add_argument("--for", dest="for_", type=_duration, default=30.0, metavar="S", help="watch for S (default 30s)")
    w.add_argument("--label", action="append", default=[], help="a name for each URL, in order (e.g. leaky, fixed)")
    w.add_argument("--json", metavar="FILE", help="write the full report here")
    w.add_argument("--png", metavar="FILE", help="save the figure here")

    r = sub.add_parser("run", help="run one variant of a lab sample")
    r.add_argument("sample")
    r.add_argument("--variant", default="leaky")
    r.add_argument("--duration", type=_duration, default=2.0)
    r.add_argument("--arg", action="append", default=[], help="extra driver flag, e.g. --arg=-case=fanout")
    r.add_argument("--go", help="another toolchain installed at set-up, e.g. 1.22")
    r.add_argument("--json", metavar="FILE")
    r.add_argument("--png", metavar="FILE")
    r.add_argument("--gctrace", action="store_true", help="also record GODEBUG=gctrace=1, one row per GC, in the JSON report")

    m = sub.add_parser("compare", help="run leaky and fixed of a lab sample side by side")
    m.add_argument("sample")
    m.add_argument("--duration", type=_duration, default=2.0)
    m.add_argument("--arg", action="append", default=[])
    m.add_argument("--go", help="another toolchain installed at set-up, e.g. 1.22")
    m.add_argument("--json", metavar="FILE")
    m.add_argument("--png", metavar="FILE")
    m.add_argument("--gctrace", action="store_true", help="also record GODEBUG=gctrace=1, one row per GC, in the JSON report")

    e = sub.add_parser("exercise", help="check, reset or list the exercises")
    e.add_argument("action", choices=["check", "reset", "status"])
    e.add_argument("sample", nargs="?")
    e.add_argument("--duration", type=_duration, default=2.0)

    sub.add_parser("samples", help="list the lab's samples")
    st = sub.add_parser("setup", help="fill the Go caches so the lab works offline")
    st.add_argument("--shared", action="store_true",
                    help="an image for a hub: keep the caches beside the lab, outside the home directory")
    st.add_argument("--workspace", type=Path, help="also make a learner's workspace there and warm the caches for it")
    sub.add_parser("preflight", help="before a class: toolchains, offline module cache, one lab run and check, timed")
    cs = sub.add_parser("class-status", help="a hub's learners and their exercises' last checks (for the teacher)")
    cs.add_argument("--hub", required=True, help="the hub's public URL, e.g. https://hub.example.org")
    cs.add_argument("--token", default=os.environ.get("JUPYTERHUB_API_TOKEN", ""),
                    help="a token with read:users and access:servers (default $JUPYTERHUB_API_TOKEN)")
    cs.add_argument("--workspace", default="", help="the workspace's path under each server's root, if not the root")
    ws = sub.add_parser("workspace", help="make or update a learner's own copy of the labs and exercises")
    ws.add_argument("action", choices=["init"])
    ws.add_argument("dir", nargs="?", type=Path, default=Path.home() / "goleaklab")
    sub.add_parser("doctor", help="check the toolchain and say what to fix")
    lb = sub.add_parser("lab", help="open JupyterLab at the repository, on labs/00_start_here.ipynb")
    lb.epilog = "Other arguments go to `jupyter lab`, e.g. --no-browser --port=8899."

    args, rest = p.parse_known_args(argv)
    if rest and args.cmd != "lab":
        p.error(f"unrecognized arguments: {' '.join(rest)}")
    args.jupyter_args = rest
    try:
        return _dispatch(args)
    except BuildError as err:
        print(f"error: {err}", file=sys.stderr)
        for msg in err.messages[1:10]:
            print(f"  {msg}", file=sys.stderr)
        return EXIT_ERROR
    except LeakLabError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted: the program and its temp files were cleaned up", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `... | head`: the reader left, nothing more to say
        sys.stdout = open(os.devnull, "w")
        return EXIT_CLEAN


def _dispatch(args) -> int:
    from . import exercise, samples
    from .measure import check

    if args.cmd == "check" and args.test:
        from .testcheck import cli_check
        return cli_check(args)
    if args.cmd == "check" and (args.run or args.timeout):
        raise LeakLabError("--run and --timeout go with --test (a package's tests)")
    if args.cmd == "watch":
        from .watch import cli_watch
        return cli_watch(args)
    if args.cmd == "check":
        from .verdict import Ignore
        kw = {"interval_ms": args.interval} if args.interval else {}
        if args.ignore_top or args.ignore_created_by:
            kw["ignore"] = Ignore(tuple(args.ignore_top), tuple(args.ignore_created_by))
        return _finish([check(args.path, args.arg, args.duration, rss_cap=args.rss_cap, gctrace=args.gctrace,
                              strict=args.strict, **kw)], args)
    if args.cmd == "run":
        return _finish([samples.run_sample(args.sample, args.variant, args.duration, args.arg, go=args.go,
                                           gctrace=args.gctrace)], args)
    if args.cmd == "compare":
        runs = samples.compare(args.sample, args.duration, args=args.arg, go=args.go, gctrace=args.gctrace)
        code = _finish(runs, args)
        if code == EXIT_CLEAN and not (runs[0].verdict.leak and not runs[1].verdict.leak):
            # Not always a mistake (some leaks are gone in newer Go), so say what was seen.
            print(f"note: leaky was {runs[0].verdict.verdict} and fixed was {runs[1].verdict.verdict}",
                  file=sys.stderr)
            return EXIT_LEAK
        return code
    if args.cmd == "samples":
        for name in samples.scenarios():
            print(name)
        return EXIT_CLEAN
    if args.cmd == "setup":
        from .prepare import setup
        return setup(shared=args.shared, workspace=args.workspace) or _download_corpus_modules()
    if args.cmd == "preflight":
        from . import classroom
        return EXIT_CLEAN if classroom.preflight() else EXIT_ERROR
    if args.cmd == "class-status":
        from . import classroom
        if not args.token:
            raise LeakLabError("class-status needs a hub token: --token or $JUPYTERHUB_API_TOKEN")
        print(classroom.table(classroom.status(args.hub, args.token, args.workspace)))
        return EXIT_CLEAN
    if args.cmd == "workspace":
        from . import workspace
        try:
            print(workspace.init(args.dir).line())
        except (ValueError, OSError) as err:
            raise LeakLabError(f"workspace {args.dir}: {err}") from None
        return EXIT_CLEAN
    if args.cmd == "lab":
        from .prepare import lab_argv
        argv = lab_argv(args.jupyter_args)
        os.execv(argv[0], argv)  # JupyterLab takes this process over: Ctrl-C stops it as usual
    if args.cmd == "doctor":
        from .notebook import doctor
        return EXIT_CLEAN if doctor() else EXIT_ERROR
    if args.cmd == "exercise":
        if args.action == "status":
            for name, edited, line in exercise.status(min(args.duration, 1.0)):
                print(f"{name:24} {edited:9} {line}")
            return EXIT_CLEAN
        if not args.sample:
            raise LeakLabError(f"exercise {args.action} needs a sample name, e.g. goroutine_channel")
        if args.sample == "capstone":  # four hidden leaks, scored one by one
            from . import capstone
            if args.action == "reset":
                for path in capstone.reset():
                    print(f"reset {path}")
                return EXIT_CLEAN
            res = capstone.check(args.duration)
            print(res)
            return EXIT_CLEAN if res.healthy and res.fixed == res.total else EXIT_LEAK
        if args.action == "reset":
            print(f"reset {exercise.reset(args.sample)}")
            return EXIT_CLEAN
        res = exercise.check(args.sample, args.duration)
        print(res.line)
        for msg in res.build_messages[1:10]:
            print(f"  {msg}")
        return EXIT_CLEAN if res.fixed else EXIT_LEAK
    raise LeakLabError(f"unknown command {args.cmd}")
