"""How sure a verdict is, on real runs: proven, growing (goroutines, sites, heap with its growing
allocation sites, open files, child processes), blocked, parked (a library's worker, the program's
own long-lived worker), inconclusive, and goleak's ignores and --strict."""

import json
import sys

import pytest

from conftest import run_cli
from harness.build import build
from harness.measure import RunOptions, measure
from harness.verdict import Ignore

# A module of its own, required through a replace: its goroutines are a library's, not the
# program's (whose code is package main and example.com/prog).
LIB = {
    "lib/go.mod": "module example.com/lib\n\ngo 1.27\n",
    "lib/worker.go": """
        package lib

        import "time"

        // A Worker flushes every 10 ms until Close, like a library's background loop.
        type Worker struct {
            stop  chan struct{}
            Ticks int
        }

        func Start() *Worker {
            w := &Worker{stop: make(chan struct{})}
            go w.loop()
            return w
        }

        func (w *Worker) loop() {
            t := time.NewTicker(10 * time.Millisecond)
            defer t.Stop()
            for {
                select {
                case <-t.C:
                    w.Ticks++
                case <-w.stop:
                    return
                }
            }
        }

        func (w *Worker) Close() { close(w.stop) }
    """,
}
USES_LIB = "module example.com/prog\n\ngo 1.27\n\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ./lib\n"

MAIN = """
    package main

    import (
        "os"
        "time"

        "example.com/lib"
    )

    var kept []*lib.Worker

    func main() {
        perRequest := len(os.Args) > 1 && os.Args[1] == "per-request"
        w := lib.Start()
        for i := 0; i < 50; i++ {
            if perRequest {
                kept = append(kept, lib.Start()) // never closed: one more loop per request
            }
            time.Sleep(25 * time.Millisecond)
        }
        _ = w // main returns without w.Close(): the worker is still in its select
    }
"""


@pytest.fixture
def libprog(gomod, go):
    d = gomod({**LIB, "main.go": MAIN})
    (d / "go.mod").write_text(USES_LIB)
    return build(d, go)


def test_a_library_worker_parked_at_exit_is_reported_not_counted(libprog):
    run = measure(libprog, [], RunOptions(duration=10))
    v = run.verdict
    assert run.exit == "exited" and v.verdict == "clean" and v.confidence == "parked", v.headline
    assert "1 goroutine parked at exit" in v.headline and "--strict" in v.headline, v.headline
    (ev,) = [e for e in v.evidence if e.kind == "parked"]
    assert not ev.leak and ev.site["function"] == "example.com/lib.(*Worker).loop"
    assert "library's goroutine started by example.com/lib.Start" in ev.line and "did not grow" in ev.line
    classes = [(d["function"], d["class"], d["leak"]) for d in v.site_dicts()]
    assert classes == [("example.com/lib.(*Worker).loop", "parked", False)]
    # goleak's rule counts it; ignoring its top function (goleak's IgnoreTopFunction) does not.
    strict = measure(libprog, [], RunOptions(duration=10, strict=True))
    assert strict.verdict.verdict == "leak" and strict.verdict.confidence == "parked", strict.verdict.headline
    ignored = measure(libprog, [], RunOptions(duration=10, strict=True,
                                              ignore=Ignore(top=("example.com/lib.(*Worker).loop", "example.com/lib.nothing"))))
    assert ignored.verdict.verdict == "clean", ignored.verdict.headline
    assert [e.kind for e in ignored.verdict.evidence] == ["ignored"]
    assert ignored.ignore_unmatched == ["--ignore-top example.com/lib.nothing"]


def test_library_workers_whose_count_grows_are_a_leak_named_with_their_rate(libprog):
    run = measure(libprog, ["per-request"], RunOptions(duration=10))
    v = run.verdict
    assert v.verdict == "leak" and v.confidence == "growing", v.headline
    sites = [e for e in v.evidence if e.subject == "site"]  # [select], and [runnable] when a tick came
    assert {(e.kind, e.leak, e.site["function"]) for e in sites} == {("growing", True, "example.com/lib.(*Worker).loop")}
    assert all(25 <= e.rate <= 60 and "count grew during the run" in e.line for e in sites), sites  # 40/s
    assert sum(e.count for e in sites) == 51
    g = next(e for e in v.evidence if e.subject == "goroutines")
    assert g.kind == "growing" and 25 <= g.rate <= 60


def test_the_programs_own_worker_counts_unless_it_was_there_unchanged_all_along(gomod, go):
    """goleak's rule for the program's own goroutines, unless the run showed them to be a
    long-lived worker: there from the start, their count unchanged, for over a second."""
    src = """
        package main

        import (
            "os"
            "time"
        )

        var jobs = make(chan int)

        func worker() {
            for range jobs { // nobody closes jobs
            }
        }

        func main() {
            go worker()
            if os.Args[1] == "long" {
                for i := 0; i < 60; i++ {
                    jobs <- i
                    time.Sleep(25 * time.Millisecond)
                }
            }
        }
    """
    b = build(gomod({"main.go": src}), go)
    quick = measure(b, ["quick"], RunOptions(duration=10))  # main returns at once: nothing shows it is a worker
    assert quick.verdict.verdict == "leak" and quick.verdict.confidence == "parked", quick.verdict.headline
    assert "still blocked after main returned at main.worker" in quick.verdict.headline
    long = measure(b, ["long"], RunOptions(duration=10))
    assert long.verdict.verdict == "clean" and long.verdict.confidence == "parked", long.verdict.headline
    (ev,) = long.verdict.evidence
    assert "unchanged, for most of the run" in ev.line and not ev.leak


def test_blocked_and_proven_exits(gomod, go):
    """A send nobody will take is blocked (no idle worker waits there), suspected; one the runtime
    proves is proven."""
    d = gomod({"main.go": """
        package main

        var results = make(chan int) // a global: reachable, so not provable

        func main() {
            ch := make(chan int)
            for i := 0; i < 3; i++ {
                go func() { ch <- 1 }()
                go func() { results <- 1 }()
            }
        }
    """})
    v = measure(build(d, go), options=RunOptions(duration=10)).verdict
    assert v.verdict == "leak" and v.confidence == "proven", v.headline
    kinds = sorted((e.kind, e.count) for e in v.evidence)
    assert kinds == [("blocked", 3), ("proven", 3)], v.evidence


def test_heap_growth_names_its_growing_allocation_sites(gomod, go):
    d = gomod({"main.go": """
        package main

        import "time"

        var sessions = map[int][]byte{}

        func remember(id int) { sessions[id] = make([]byte, 128<<10) }

        func main() {
            for i := 0; i < 120; i++ { // 15 MB kept in 1.5 s: about 30 samples of the heap profile
                remember(i)
                _ = make([]byte, 256<<10) // garbage, so collections come
                time.Sleep(12 * time.Millisecond)
            }
        }
    """})
    b = build(d, go)
    # With a 10 s deadline the probe forces a collection every 250 ms: in this 1.5 s program the
    # live heap is read too few times to judge, which the verdict says.
    few = measure(b, options=RunOptions(duration=10)).verdict
    if not few.heap.growing:
        assert few.verdict == "clean" and few.confidence == "inconclusive", few.headline
        assert "too few readings" in few.headline and "--duration" in few.headline, few.headline
    run = measure(b, options=RunOptions(duration=3))  # a collection every 120 ms
    assert run.verdict.verdict == "leak" and run.verdict.heap.growing, run.verdict.headline
    top = run.heap_growth  # as pprof names it: "main.remember (inline)"
    assert top and top[0]["function"].startswith("main.remember"), top
    # Between the snapshots (after warm-up, late in the run) about 10 MB were kept; the heap
    # profile samples one allocation per 512 kB on average, so its estimate is rough.
    assert 3e6 <= top[0]["bytes"] <= 25e6 and top[0]["to_s"] - top[0]["from_s"] >= 0.5, top[0]
    heap_ev = next(e for e in run.verdict.evidence if e.subject == "heap_live")
    assert heap_ev.heap_sites == top
    assert run.report()["evidence"][0]["heap_sites"][0]["function"] == top[0]["function"]


FDS = """
    package main

    import (
        "os"
        "os/exec"
        "time"
    )

    var kept []*os.File

    func main() {
        leak := os.Args[1] == "leak"
        for i := 0; i < 40; i++ {
            f, err := os.Open(os.Args[0])
            if err != nil {
                panic(err)
            }
            cmd := exec.Command("true")
            if err := cmd.Start(); err != nil {
                panic(err)
            }
            if leak {
                kept = append(kept, f) // never closed; and the child is never waited for: a zombie
            } else {
                f.Close()
                cmd.Wait()
            }
            time.Sleep(30 * time.Millisecond)
        }
    }
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="open files and children are read from /proc")
def test_open_files_and_child_processes_that_grow_are_a_leak(gomod, go, tmp_path):
    from harness.plot import plot_runs
    b = build(gomod({"main.go": FDS}), go)
    leak, fixed = measure(b, ["leak"], RunOptions(duration=10)), measure(b, ["fixed"], RunOptions(duration=10))
    assert all("fds" in s and "children" in s for s in leak.samples + fixed.samples)
    v = leak.verdict
    assert v.verdict == "leak" and v.confidence == "growing", v.headline
    assert v.fds.growing and v.children.growing and "open files/s" in v.headline and "child processes/s" in v.headline
    # One file kept open and one child never waited for (a zombie) per round, 33 rounds a second.
    assert 20 <= v.fds.slope <= 45 and 20 <= v.children.slope <= 45, (v.fds, v.children)
    assert leak.samples[-1]["children"] >= 30 and fixed.samples[-1]["children"] <= 1
    assert fixed.verdict.verdict == "clean" and not fixed.verdict.fds.growing, fixed.verdict.headline
    # The figure gets an open-files row only when open files grew.
    assert len(plot_runs([leak, fixed]).axes) == 6 and len(plot_runs([fixed]).axes) == 2


@pytest.mark.slow  # several runs, ~5 s
def test_inconclusive_when_growth_slows_or_the_window_is_too_short(gomod, go):
    """Growth that slows to under half its rate looks like a fill (a pool or cache reaching its
    size): inconclusive, with a duration to try; so does a rise in too short a run. Not counted,
    unless --strict."""
    src = """
        package main

        import (
            "math"
            "os"
            "time"
        )

        var park = make(chan int) // reachable: nothing is provable

        func main() {
            start, n := time.Now(), 0
            for {
                t := time.Since(start).Seconds()
                want := int(200 * (1 - math.Exp(-t/0.4))) // levels off at 200
                if os.Args[1] == "steady" {
                    want = int(200 * t)
                }
                for ; n < want; n++ {
                    go func() { <-park }()
                }
                time.Sleep(10 * time.Millisecond)
            }
        }
    """
    b = build(gomod({"main.go": src}), go)
    slowing = measure(b, ["slowing"], RunOptions(duration=1.6))
    v = slowing.verdict
    assert slowing.exit == "deadline" and v.verdict == "clean" and v.confidence == "inconclusive", v.headline
    (ev,) = [e for e in v.evidence if e.kind == "inconclusive"]
    assert ev.subject == "goroutines" and ev.suggest_duration >= 5 and v.headline.startswith("inconclusive: ")
    assert "slowing down" in ev.line, ev.line
    assert measure(b, ["slowing"], RunOptions(duration=1.6, strict=True)).verdict.verdict == "leak"
    short = measure(b, ["steady"], RunOptions(duration=0.3)).verdict
    assert short.verdict == "clean" and short.confidence == "inconclusive", short.headline
    assert "too few samples" in short.headline, short.headline
    steady = measure(b, ["steady"], RunOptions(duration=1.6)).verdict
    assert steady.verdict == "leak" and steady.confidence == "growing", steady.headline


@pytest.mark.slow  # several CLI runs, ~5 s
def test_check_cli_strict_ignores_and_json(libprog, tmp_path):
    out = tmp_path / "r.json"
    prog = str(libprog.package_dir)
    res = run_cli("check", prog, "--json", str(out))
    assert res.returncode == 0, res.stdout + res.stderr
    rep = json.loads(out.read_text())
    assert rep["verdict"] == "clean" and rep["confidence"] == "parked"
    assert rep["goroutine_leaks"][0]["class"] == "parked" and rep["goroutine_leaks"][0]["leak"] is False
    assert rep["evidence"][0]["kind"] == "parked" and "top" in rep["goroutine_leaks"][0]
    res = run_cli("check", prog, "--strict")
    assert res.returncode == 1 and "confidence: parked" in res.stdout, res.stdout
    res = run_cli("check", prog, "--strict", "--ignore-created-by", "example.com/lib.Start",
                  "--ignore-top", "example.com/lib.(*Nothing).run")
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stderr.strip() == "warning: --ignore-top example.com/lib.(*Nothing).run matched no goroutine of prog"


def test_tops_on_real_goroutine_dumps():
    """The top function of each site, as goleak's IgnoreTopFunction sees it, from the real Go 1.27
    debug=2 dump (LeakSite.top) and the debug=1 profile (parse_goroutine_profile's tops), and a site
    named the same in both (LeakSite.key)."""
    from pathlib import Path

    from harness import collect
    golden = Path(__file__).parent / "testdata" / "golden" / "go1.27"
    goroot = json.loads((golden / "manifest.json").read_text())["goroot"]
    sites = collect.leak_sites(collect.parse_goroutines((golden / "goroutine_debug2.txt").read_text()), goroot)
    tops: dict[str, str] = {}
    counts = collect.parse_goroutine_profile((golden / "goroutine_debug1.txt").read_text(), goroot, tops)
    assert set(tops) == set(counts) and tops["main.worker @ main.go:34"] == "main.worker"
    for s in sites:
        assert s.top == s.stack[0].split(" (")[0], s
        assert s.key in counts and counts[s.key] == s.count, (s.key, counts)
        # A dump hides the runtime's unexported frames; a profile's tops skip them the same way.
        assert not s.top.startswith("runtime.") and tops[s.key] == s.top, (s.top, tops[s.key])
