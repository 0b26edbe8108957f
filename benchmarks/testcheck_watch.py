"""What `check --test` and `watch` cost, as printed figures (nothing here is hard-coded).

    .venv/bin/python benchmarks/testcheck_watch.py [--repeat N] [--window S] [--only test|watch]

check --test: a temp module with one package of 10 quick tests (plus the same package with
goleak.VerifyTestMain), timed against plain `go test -count=1` on the same package:
- warm: nothing changed since the last run (go test still compiles nothing, but links and vets;
  check --test reuses its cached instrumented binary);
- cold: a source file changed before every run (both compile the package again);
- the CLI (a fresh Python: `python -m harness check --test`); the same CLI started without the
  package's __init__ (which imports the notebook layer, matplotlib: "lazy CLI" is what the CLI
  would take if that import were lazy); and the library call from a running Python (a
  notebook's case);
- the per-test alternative: one run of the same instrumented binary per test
  (-test.run=^TestX$), against the one run check --test makes.

watch: benchmarks/watchsvc, a service that sends itself 100 requests a second and keeps 200,000
small live objects, is run once; its CPU time (user+system, from the kernel) is read over
windows of --window seconds, alternately unwatched and watched by `harness watch --every 1s`,
the same load in both. Then, on the same service at rest (no load), each read's CPU cost alone.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LEAKLAB_NO_PROGRESS", "1")

import psutil  # noqa: E402

from harness import testcheck  # noqa: E402
from harness.toolchain import find_go  # noqa: E402

PY = sys.executable
# The CLI as it would start if `import harness` did not import the notebook layer (matplotlib):
# the package's __init__ is skipped, harness.cli is imported alone.
LAZY = ("import sys, types; m = types.ModuleType('harness'); m.__path__ = ['harness']; "
        "sys.modules['harness'] = m; from harness.cli import main; sys.exit(main(sys.argv[1:]))")


def _module(d: Path, goleak: bool) -> Path:
    d.mkdir(parents=True)
    (d / "go.mod").write_text("module example.com/ten\n\ngo 1.27\n\nrequire go.uber.org/goleak v1.3.0\n")
    shutil.copyfile(ROOT / "go_samples" / "go.sum", d / "go.sum")
    (d / "ten.go").write_text("package ten\n\n// Sum adds.\nfunc Sum(xs []int) int {\n\ts := 0\n\tfor _, x := range xs {\n"
                              "\t\ts += x\n\t}\n\treturn s\n}\n")
    head = 'package ten\n\nimport (\n\t"testing"\n'
    head += '\n\t"go.uber.org/goleak"\n)\n\nfunc TestMain(m *testing.M) { goleak.VerifyTestMain(m) }\n' if goleak else ")\n"
    body = "".join(f"\nfunc TestQuick{i}(t *testing.T) {{\n\tif Sum([]int{{1, {i}}}) != 1+{i} {{\n\t\tt.Fatal(\"sum\")\n\t}}\n}}\n"
                   for i in range(10))
    (d / "ten_test.go").write_text(head + body)
    return d


def _timed(argv: list[str], cwd: Path, env: dict) -> float:
    t0 = time.monotonic()
    res = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if res.returncode not in (0,):
        raise SystemExit(f"{' '.join(argv)} failed ({res.returncode}): {(res.stdout + res.stderr)[-600:]}")
    return wall


def _touch(d: Path, n: int) -> None:
    src = (d / "ten.go").read_text().split("\n// edit")[0]
    (d / "ten.go").write_text(src + f"\n// edit {n}\n")


def bench_tests(repeat: int) -> None:
    go = find_go()
    env = go.env({"GOFLAGS": "-mod=mod", "GOPROXY": "off"})
    os.environ.update(GOFLAGS="-mod=mod", GOPROXY="off")
    print(f"check --test vs go test -count=1 (10 quick tests; {go.version}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}; median of {repeat}, after one warm-up)\n")
    print(f"{'package':28} {'case':6} {'go test':>8} {'CLI':>8} {'ratio':>6} {'lazy CLI':>8} {'ratio':>6} "
          f"{'library':>8} {'ratio':>6}")
    with tempfile.TemporaryDirectory(prefix="leaklab-bench-tc-") as tmp:
        for goleak in (False, True):
            d = _module(Path(tmp) / ("goleak" if goleak else "plain"), goleak)
            name = "10 tests" + (" + VerifyTestMain" if goleak else "")
            for case in ("warm", "cold"):
                gt, cli, lazy, lib = [], [], [], []
                for i in range(repeat + 1):
                    if case == "cold":
                        _touch(d, 2 * i)
                    a = _timed([go.path, "test", "-count=1", "."], d, env)
                    if case == "cold":
                        _touch(d, 2 * i + 1)
                    b = _timed([PY, "-m", "harness", "check", "--test", str(d)], ROOT, env)
                    if case == "cold":
                        _touch(d, 2 * i + 100)
                    z = _timed([PY, "-c", LAZY, "check", "--test", str(d)], ROOT, env)
                    if case == "cold":
                        _touch(d, 2 * i + 200)
                    t0 = time.monotonic()
                    r = testcheck.check_tests(d)
                    c = time.monotonic() - t0
                    assert not r.verdict.leak and len(r.tests) == 10, r.verdict.headline
                    if i:  # the first round warms the caches
                        gt.append(a)
                        cli.append(b)
                        lazy.append(z)
                        lib.append(c)
                g, m, li = statistics.median(gt), statistics.median(cli), statistics.median(lib)
                z = statistics.median(lazy)
                print(f"{name:28} {case:6} {g:7.2f}s {m:7.2f}s {m / g:5.2f}× {z:7.2f}s {z / g:5.2f}× "
                      f"{li:7.2f}s {li / g:5.2f}×")
        # Attribution by labels (one run) against one run per test, same instrumented binary.
        d = Path(tmp) / "plain"
        binary = testcheck.build_tests(d)
        one, per = [], []
        for _ in range(repeat):
            t0 = time.monotonic()
            testcheck.run_tests(binary)
            one.append(time.monotonic() - t0)
            t0 = time.monotonic()
            for t in binary.tests:
                testcheck.run_tests(binary, run=f"^{t}$")
            per.append(time.monotonic() - t0)
        print(f"\nattribution, same binary: labels in one run {statistics.median(one):.2f} s; one run per test "
              f"(-test.run=^TestX$) {statistics.median(per):.2f} s = {statistics.median(per) / statistics.median(one):.1f}×")
    cold = time.monotonic()
    subprocess.run([PY, "-c", "import harness.cli"], cwd=ROOT, check=True)
    print(f"(of the CLI's time, starting Python and importing the harness: {time.monotonic() - cold:.2f} s)")


def _service(args: list[str]) -> tuple[subprocess.Popen, str]:
    go = find_go()
    exe = Path(tempfile.gettempdir()) / "leaklab-bench-watchsvc"
    res = go.run("build", "-o", str(exe), "./watchsvc", cwd=ROOT / "benchmarks")
    if res.returncode:
        raise SystemExit(res.stderr)
    p = subprocess.Popen([str(exe), *args], stdout=subprocess.PIPE, text=True)
    return p, p.stdout.readline().strip()


def _cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def bench_watch(repeat: int, window: float) -> None:
    p, url = _service(["-rate", "100", "-objects", "200000"])
    proc = psutil.Process(p.pid)
    try:
        time.sleep(2)
        rows = {"unwatched": [], "watched": []}
        polls = []
        print(f"\nwatch --every 1s: the service's CPU time, {window:g} s windows, load 100 req/s, "
              f"200,000 live objects ({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f})\n")
        for i in range(repeat):
            for arm in (("unwatched", "watched") if i % 2 == 0 else ("watched", "unwatched")):
                if arm == "watched":
                    w = subprocess.Popen([PY, "-m", "harness", "watch", url, "--every", "1s", "--for",
                                          f"{window + 4:g}s", "--json", str(Path(tempfile.gettempdir()) / "leaklab-bench-w.json")],
                                         cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    time.sleep(3)  # Python start-up and the first poll, outside the window
                c0, t0 = _cpu(proc), time.monotonic()
                time.sleep(window)
                c1, t1 = _cpu(proc), time.monotonic()
                rows[arm].append((c1 - c0) / (t1 - t0))
                if arm == "watched":
                    w.wait()
                    rep = json.loads((Path(tempfile.gettempdir()) / "leaklab-bench-w.json").read_text())
                    polls.append((len(rep["polls"]), sum(1 for x in rep["polls"] if x["forced_gcs"] is not None)))
        un, wa = rows["unwatched"], rows["watched"]
        diffs = [b - a for a, b in zip(un, wa)]
        print(f"  unwatched: {' '.join(f'{x * 100:.2f}%' for x in un)}  (median {statistics.median(un) * 100:.2f}% of a CPU)")
        print(f"  watched:   {' '.join(f'{x * 100:.2f}%' for x in wa)}  (median {statistics.median(wa) * 100:.2f}%)")
        print(f"  watching cost: median {statistics.median(diffs) * 100:+.2f} percentage points of a CPU "
              f"(pairs: {' '.join(f'{d * 100:+.2f}' for d in diffs)}); polls per watch {polls[0][0]}, "
              f"with a forced GC {', '.join(str(f) for _, f in polls)}")
    finally:
        p.kill()
        p.wait()

    p, url = _service(["-rate", "0", "-objects", "200000"])
    proc = psutil.Process(p.pid)
    try:
        time.sleep(1)
        print("\n  the same service at rest, each read alone (40 reads each; CPU from the kernel, 10 ms ticks):")
        for path in ("goroutine?debug=1", "heap", "goroutineleak?debug=1", "heap?gc=1"):
            n, wall = 40, 0.0
            c0 = _cpu(proc)
            for _ in range(n):
                t0 = time.monotonic()
                urllib.request.urlopen(f"{url}/debug/pprof/{path}").read()
                wall += time.monotonic() - t0
            print(f"    {path:24} CPU {(_cpu(proc) - c0) / n * 1e3:6.2f} ms per read, answer {wall / n * 1e3:6.2f} ms")
    finally:
        p.kill()
        p.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--window", type=float, default=20.0)
    ap.add_argument("--only", choices=("test", "watch"))
    a = ap.parse_args()
    if a.only != "watch":
        bench_tests(a.repeat)
    if a.only != "test":
        bench_watch(max(2, a.repeat // 2 + 1), a.window)


if __name__ == "__main__":
    main()
