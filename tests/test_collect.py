"""Parsers, tested on output the real tools produce inside the test (no hand-typed samples), and on
real Go 1.22 and 1.27 output kept in tests/testdata/golden (regenerate.py captures it again)."""

import json
import re
from pathlib import Path

import pytest

from harness import collect
from harness.build import build
from harness.measure import RunOptions, goroot, measure

SITES = """
package main

import (
	"sync"
	"time"
)

type Pool struct{ jobs chan int }

func (p *Pool) Start() {
	go func() {
		for range p.jobs { // BLOCK:pool
		}
	}()
}

var mu sync.Mutex
var hold = make(chan int) // global: reachable, so not provably leaked

func main() {
	(&Pool{jobs: make(chan int)}).Start()
	go func() { <-make(chan int) }() // BLOCK:recv
	go func() { make(chan int) <- 1 }() // BLOCK:send
	var nilch chan int
	go func() { <-nilch }() // BLOCK:nil
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { wg.Wait() }() // BLOCK:wg
	mu.Lock()
	go func() { mu.Lock() }() // BLOCK:mutex
	go func() { <-hold }() // BLOCK:global
	go func() { time.Sleep(time.Hour) }() // BLOCK:sleep
	time.Sleep(200 * time.Millisecond)
}
"""


def _line(src: str, marker: str) -> int:
    return next(i for i, ln in enumerate(src.splitlines(), 1) if f"BLOCK:{marker}" in ln)


def test_goroutine_dump_grouped_by_site(gomod, go, tmp_path):
    d = gomod({"main.go": SITES})
    r = measure(build(d, go), options=RunOptions(duration=10, keep=tmp_path / "art"))
    src = (d / "main.go").read_text()
    dump = (tmp_path / "art" / "goroutines.txt").read_text()
    parsed = collect.parse_goroutines(dump)
    assert any(g.id == 1 for g in parsed), "the dump has main's goroutine; leak_sites must drop it"
    by_loc = {s.location: s for s in r.sites}
    expect = {
        "pool": ("main.(*Pool).Start.func1", "chan receive", True),
        "recv": ("main.main.func1", "chan receive", True),
        "send": ("main.main.func2", "chan send", True),
        "nil": ("main.main.func3", "chan receive (nil chan)", True),
        "wg": ("main.main.func4", "sync.WaitGroup.Wait", True),
        "mutex": ("main.main.func5", "sync.Mutex.Lock", False),
        "global": ("main.main.func6", "chan receive", False),
        "sleep": ("main.main.func7", "sleep", False),
    }
    for marker, (fn, reason, proven) in expect.items():
        loc = f"main.go:{_line(src, marker)}"
        assert loc in by_loc, f"{marker}: no site at {loc}; sites: {sorted(by_loc)}"
        s = by_loc[loc]
        assert (s.function, s.wait_reason, s.proven, s.count) == (fn, reason, proven, 1), (marker, s)
        assert s.created_by.startswith("main.go:")
    assert len(r.sites) == len(expect), "the probe's and main's goroutines must not be reported"


def test_gctrace_rows_from_real_run(gomod, go, tmp_path):
    d = gomod({"main.go": """
        package main

        var sink []byte

        func main() {
            for i := 0; i < 2000; i++ { sink = make([]byte, 64<<10) }
        }
    """})
    b = build(d, go)
    assert measure(b, options=RunOptions(duration=10)).gctrace == [], "gctrace is recorded only on request"
    r = measure(b, options=RunOptions(duration=10, gctrace=True, env={"GOGC": "100"}, keep=tmp_path / "art"))
    rows = r.gctrace
    assert len(rows) >= 3
    lines = [ln for ln in (tmp_path / "art" / "stderr").read_text().splitlines() if ln.startswith("gc ")]
    assert len(rows) == len(lines), "every gc line of the run became a row"
    assert [x["n"] for x in rows] == list(range(1, len(rows) + 1))
    assert rows[-1]["forced"], "the probe's final GC is a forced one"
    # Under 1 MB live (one 64 KiB buffer at a time), so each cycle's goal is Go's minimum heap
    # goal, 4 MB at GOGC=100, or more when a cycle marked what was allocated during it.
    assert all(x["goal_mb"] >= 4 for x in rows), rows
    assert sum(x["pause_ms"] for x in rows) > 0
    assert all(a["t"] <= b["t"] for a, b in zip(rows, rows[1:]))


def test_pprof_top_on_real_heap_profile(gomod, go, tmp_path):
    d = gomod({"main.go": """
        package main

        import "runtime"

        var kept [][]byte

        //go:noinline
        func hold() { kept = append(kept, make([]byte, 1<<20)) }

        func main() {
            runtime.MemProfileRate = 1 // every allocation in the profile: the 20 MiB below, not a sample of them
            for i := 0; i < 20; i++ { hold() }
        }
    """})
    run = measure(build(d, go), options=RunOptions(duration=10, keep=tmp_path / "art"))
    rows = collect.pprof_top(go, tmp_path / "art" / "heap.pb.gz", "inuse_space")
    top = {r["function"]: r for r in rows}
    assert "main.hold" in top, rows
    assert top["main.hold"]["flat"] >= 15e6
    # The run keeps the profile's bytes and runs pprof only when its top is asked for.
    assert run.heap_profile and run._heap_top is None
    assert run.heap_top[:5] == rows[:5] and run.report()["heap_top"] == run.heap_top


def test_stream_survives_a_cut_last_line(gomod, go, tmp_path):
    d = gomod({"main.go": "package main\n\nimport \"time\"\n\nfunc main() { time.Sleep(300 * time.Millisecond) }\n"})
    measure(build(d, go), options=RunOptions(duration=10, keep=tmp_path / "art"))
    text = (tmp_path / "art" / "metrics.jsonl").read_text()
    full = collect.parse_stream(text)
    cut = collect.parse_stream(text[: len(text) - 25])
    assert full.end_reason == "exited" and full.final is not None
    assert cut.end_reason is None and len(cut.samples) >= len(full.samples) - 1
    assert all(re.fullmatch(r"[a-z_]+", k) for s in full.samples for k in s if k != "memstats")


def test_goroot_frames_are_not_user_locations(go):
    assert goroot(go) and not goroot(go).endswith("/")


# --- golden outputs: real Go 1.22 and 1.27 output kept in testdata (regenerate.py) ------------

GOLDEN = Path(__file__).resolve().parent / "testdata" / "golden"
GOLDEN_SRC = (GOLDEN / "prog" / "main.go").read_text()
# What every golden file of a toolchain is parsed by; a file no test reads fails test_golden_set.
GOLDEN_FILES = {
    "go1.22": {"gctrace.txt", "goroutine_debug1.txt", "goroutine_debug2.txt", "goroutine_end_debug2.txt",
               "pprof_top.txt", "manifest.json"},
    "go1.27": {"gctrace.txt", "goroutine_debug1.txt", "goroutine_debug2.txt", "goroutineleak_debug2.txt",
               "pprof_top.txt", "manifest.json"},
}
# prog/main.go's goroutines: marker -> (entry function, wait reason, count, proven leaked by Go 1.27).
GOLDEN_SITES = {
    "worker": ("main.worker", "chan receive", 3, True),
    "pool": ("main.(*Pool).Start.func1", "chan receive", 1, True),
    "send": ("main.main.func1", "chan send", 1, True),
    "nil": ("main.main.func2", "chan receive (nil chan)", 1, True),
    "wg": ("main.main.func3", "sync.WaitGroup.Wait", 1, True),
    "mutex": ("main.main.func4", "sync.Mutex.Lock", 1, False),
    "global": ("main.main.func5", "chan receive", 1, False),
    "sleep": ("main.main.func6", "sleep", 1, False),
    "select": ("main.main.func7", "select", 1, True),
    "cond": ("main.main.func8", "sync.Cond.Wait", 1, True),
}
# Go 1.22 has no wait reason of its own for WaitGroup.Wait.
GOLDEN_REASONS = {"go1.22": {"sync.WaitGroup.Wait": "semacquire"}}


def _golden(version: str, name: str) -> str:
    return (GOLDEN / version / name).read_text()


def _goldroot(version: str) -> str:
    return json.loads(_golden(version, "manifest.json"))["goroot"]


def _expected_sites(version: str, proven_by_leak_profile: bool) -> dict[str, tuple]:
    """{"main.go:LINE": (function, wait reason, count, proven)} for prog/main.go."""
    out = {}
    for marker, (fn, reason, count, proven) in GOLDEN_SITES.items():
        reason = GOLDEN_REASONS.get(version, {}).get(reason, reason)
        out[f"main.go:{_line(GOLDEN_SRC, marker)}"] = (fn, reason, count, proven and proven_by_leak_profile)
    return out


def test_golden_set_is_complete_and_from_the_toolchains_it_names():
    for version, names in GOLDEN_FILES.items():
        found = {p.name for p in (GOLDEN / version).iterdir()}
        assert found == names, (f"{version}: golden files differ from what the tests read; "
                                f"run tests/testdata/golden/regenerate.py and update GOLDEN_FILES", found ^ names)
        manifest = json.loads(_golden(version, "manifest.json"))
        assert manifest["go_version"].startswith(version + "."), manifest
        assert manifest["pprof_args"] == collect.pprof_top_args("inuse_space"), \
            "pprof_top's arguments changed: regenerate the golden pprof_top.txt"


@pytest.mark.parametrize("version", sorted(GOLDEN_FILES))
def test_golden_gctrace(version):
    text = _golden(version, "gctrace.txt")
    lines = [ln for ln in text.splitlines() if ln.startswith("gc ")]
    rows = collect.parse_gctrace(text)
    assert len(rows) == len(lines) >= 3, "every gc line parsed"
    assert [r["n"] for r in rows] == list(range(1, len(rows) + 1))
    for row, line in zip(rows, lines):
        clock = line.split(" ms clock")[0].split()[-1].split("+")
        assert row["pause_ms"] == pytest.approx(float(clock[0]) + float(clock[2]))
        assert row["concurrent_ms"] == pytest.approx(float(clock[1]))
        assert row["forced"] == line.endswith("(forced)")
        heap = re.search(r" (\d+)->(\d+)->(\d+) MB, (\d+) MB goal, .*?(\d+) P", line).groups()
        assert [row[k] for k in ("heap_before_mb", "heap_after_mb", "live_mb", "goal_mb", "procs")] == \
            [int(x) for x in heap], line
    assert all(r["procs"] == rows[0]["procs"] for r in rows)
    assert rows[-1]["forced"], "the probe's end-state collection is forced"
    assert rows[-1]["live_mb"] == 20, "prog keeps 20 MiB live to the end"
    # Go 1.27's leak-detecting collection (the goroutineleak profile) says so in its line.
    checks = [r for r in rows if r["leak_check"]]
    assert len(checks) == (version == "go1.27") and all(r["forced"] for r in checks)
    assert collect.strip_gctrace(text).strip() == ""


@pytest.mark.parametrize("version,name", [("go1.22", "goroutine_debug2.txt"), ("go1.22", "goroutine_end_debug2.txt"),
                                          ("go1.27", "goroutine_debug2.txt"), ("go1.27", "goroutineleak_debug2.txt")])
def test_golden_goroutine_dump(version, name):
    text = _golden(version, name)
    gs = collect.parse_goroutines(text)
    assert len(gs) == text.count("\ngoroutine ") + text.startswith("goroutine "), "every goroutine parsed"
    main = next(g for g in gs if g.id == 1)
    assert main.wait_reason == "running" and not main.leaked
    leak_profile = name.startswith("goroutineleak")
    if name == "goroutine_debug2.txt":  # taken by main itself, while it runs
        assert [f.function for f in main.frames[-2:]] == ["main.dump", "main.main"], main.frames
    assert not any(f.function == "main.leaklabUserMain" or f.file.endswith("zz_leaklab_main.go")
                   for g in gs for f in g.frames), "the renamed main is reported as main.main"
    probe = [g for g in gs if collect._is_probe(g) and g.id != 1]  # main runs the probe's end capture
    assert len(probe) == 1 and probe[0].wait_reason == "chan receive", "the probe's sampler, waiting"
    assert collect._is_probe(main) == (name != "goroutine_debug2.txt")
    assert sum(g.leaked for g in gs) == (sum(c for _, _, c, p in GOLDEN_SITES.values() if p) if leak_profile else 0)
    sites = collect.leak_sites(gs, _goldroot(version))
    got = {s.location: (s.function, s.wait_reason, s.count, s.proven) for s in sites}
    assert got == _expected_sites(version, leak_profile)
    for s in sites:
        assert s.created_by_function in ("main.main", "main.(*Pool).Start"), s
        assert s.created_by.startswith("main.go:") and s.stack[-1].startswith(s.function + " (main.go:")
    assert [s.proven for s in sites] == sorted((s.proven for s in sites), reverse=True), "proven first"


@pytest.mark.parametrize("version", sorted(GOLDEN_FILES))
def test_golden_goroutine_profile_debug1(version):
    text = _golden(version, "goroutine_debug1.txt")
    counts = collect.parse_goroutine_profile(text, _goldroot(version))
    want = {}
    for loc, (fn, _, count, _) in _expected_sites(version, False).items():
        want[f"{fn} @ {loc}"] = count
    assert counts == want, "main's and the probe's goroutines left out, the rest by entry and line"
    total = int(re.search(r"^goroutine profile: total (\d+)$", text, re.M).group(1))
    assert total == sum(want.values()) + 2, "the program's goroutines, main and the probe's sampler"


@pytest.mark.parametrize("version", sorted(GOLDEN_FILES))
def test_golden_pprof_top(version):
    rows = collect.parse_pprof_top(_golden(version, "pprof_top.txt"))
    fns = [r["function"] for r in rows]
    assert fns[0] == "main.retain" and rows[0]["flat"] == 20e6 and rows[0]["flat_pct"] > 99
    assert rows[0]["cum"] == rows[0]["flat"] and rows[0]["cum_pct"] == rows[0]["flat_pct"]
    # One main.main: on Go 1.22 the program's (renamed) main; the probe's wrapper row is left out.
    assert fns.count("main.main") == 1 and "runtime.main" in fns
    assert not any("leaklab" in f for f in fns)
    main = rows[fns.index("main.main")]
    assert main["cum"] >= 20e6 and main["flat"] < 1e6
    assert all(r["flat"] <= r["cum"] for r in rows)


def test_goroutines_with_pprof_labels_are_parsed(gomod, go):
    """Go 1.27 writes labels into a dump's header (`[chan send] {req: x}:`): such goroutines are
    parsed like any other (real output of a program that leaks under pprof.Do)."""
    from harness.collect import parse_goroutines
    d = gomod({"main.go": """
        package main

        import (
            "context"
            "os"
            "runtime/pprof"
            "time"
        )

        func main() {
            for i := 0; i < 3; i++ {
                pprof.Do(context.Background(), pprof.Labels("req", "x"), func(context.Context) {
                    ch := make(chan int)
                    go func() { ch <- 1 }()
                })
            }
            time.Sleep(100 * time.Millisecond)
            pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
        }
    """})
    out = go.run("run", ".", cwd=d, timeout=300).stdout
    assert "] {req: x}:" in out
    stuck = [g for g in parse_goroutines(out) if g.wait_reason == "chan send"]
    assert len(stuck) == 3, out
