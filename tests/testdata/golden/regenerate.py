"""Capture the golden outputs the parser tests read (tests/test_collect.py), from real runs.

    .venv/bin/python tests/testdata/golden/regenerate.py          # every toolchain below
    .venv/bin/python tests/testdata/golden/regenerate.py 1.22     # one of them

For each toolchain (the lab's Go 1.27 and the Go 1.22 that set-up installs) it builds prog/
with the probe, as the harness does, runs it once under the harness with GODEBUG=gctrace=1,
and writes into go<major.minor>/:

    gctrace.txt                the run's stderr (one `gc N @...` line per collection)
    goroutine_debug1.txt       the goroutine profile, debug=1, taken by the program itself
    goroutine_debug2.txt       the goroutine profile, debug=2 (full stacks), taken by the program
    goroutineleak_debug2.txt   the probe's end dump where the goroutineleak profile exists (1.27)
    goroutine_end_debug2.txt   the probe's end dump where it does not (1.22): a goroutine profile
    pprof_top.txt              `go tool pprof -top` of the end heap profile, with the arguments
                               harness.collect.pprof_top passes
    manifest.json              the toolchain's version and GOROOT, and the program's folder

Run it again when prog/main.go changes (the tests take the BLOCK:<name> lines from it) or when
a new toolchain's output should be kept (add it to TOOLCHAINS and to the tests).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from harness import collect  # noqa: E402
from harness.build import build  # noqa: E402
from harness.measure import RunOptions, goroot, measure  # noqa: E402
from harness.toolchain import Go, find_go, go_for  # noqa: E402

PROG = HERE / "prog"
TOOLCHAINS = ("1.22", "1.27")


def toolchain(version: str) -> Go:
    lab = find_go()
    return lab if version == "%d.%d" % lab.major_minor else go_for(version)


def capture(go: Go) -> Path:
    out = HERE / ("go%d.%d" % go.major_minor)
    with tempfile.TemporaryDirectory(prefix="leaklab-golden-") as tmp:
        own, art = Path(tmp) / "own", Path(tmp) / "art"
        own.mkdir()
        run = measure(build(PROG, go, use_cache=False), options=RunOptions(duration=30, keep=art, gctrace=True,
                                                                                   env={"GOLDEN_OUT": str(own)}))
        if run.exit != "exited":
            raise SystemExit(f"{go.version}: the program did not end normally ({run.exit}: {run.message})")
        files = {"gctrace.txt": art / "stderr",
                 "goroutine_debug1.txt": own / "goroutine_debug1.txt",
                 "goroutine_debug2.txt": own / "goroutine_debug2.txt"}
        end = art / "goroutines.txt"
        # The probe writes the goroutineleak profile there when the runtime has one.
        leak_profile = '"goroutineleak"' in (Path(goroot(go)) / "src/runtime/pprof/pprof.go").read_text()
        files["goroutineleak_debug2.txt" if leak_profile else "goroutine_end_debug2.txt"] = end
        top = go.tool("pprof", *collect.pprof_top_args("inuse_space"), str(art / "heap.pb.gz"))
        if top.returncode != 0:
            raise SystemExit(f"{go.version}: go tool pprof failed: {top.stderr.strip().splitlines()[:1]}")
        missing = [name for name, f in files.items() if not f.exists()]
        if missing:
            raise SystemExit(f"{go.version}: the run left no {', '.join(missing)}")
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        for name, f in files.items():
            shutil.copyfile(f, out / name)
        (out / "pprof_top.txt").write_text(top.stdout)
        (out / "manifest.json").write_text(json.dumps({
            "go_version": go.version, "goroot": goroot(go), "program": str(PROG),
            "pprof_args": collect.pprof_top_args("inuse_space")}, indent=1) + "\n")
    return out


def main(argv: list[str]) -> int:
    for version in argv or TOOLCHAINS:
        go = toolchain(version)
        print(f"{go.version}: {capture(go)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
