"""Parsers, tested on output the real tools produce inside the test (no hand-typed samples)."""

import re

from harness import collect
from harness.build import build
from harness.measure import goroot, measure

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
    r = measure(build(d, go), duration=10, keep=tmp_path / "art")
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


def test_gctrace_rows_from_real_run(gomod, go):
    d = gomod({"main.go": """
        package main

        var sink []byte

        func main() {
            for i := 0; i < 2000; i++ { sink = make([]byte, 64<<10) }
        }
    """})
    b = build(d, go)
    assert measure(b, duration=10).gctrace == [], "gctrace is recorded only on request"
    r = measure(b, duration=10, gctrace=True)
    rows = r.gctrace
    assert len(rows) >= 3
    assert [x["n"] for x in rows] == list(range(1, len(rows) + 1))
    assert rows[-1]["forced"], "the probe's final GC is a forced one"
    assert all(x["goal_mb"] >= 0 and x["pause_ms"] >= 0 for x in rows)
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
    run = measure(build(d, go), duration=10, keep=tmp_path / "art")
    rows = collect.pprof_top(go, tmp_path / "art" / "heap.pb.gz", "inuse_space")
    top = {r["function"]: r for r in rows}
    assert "main.hold" in top, rows
    assert top["main.hold"]["flat"] >= 15e6
    # The run keeps the profile's bytes and runs pprof only when its top is asked for.
    assert run.heap_profile and run._heap_top is None
    assert run.heap_top[:5] == rows[:5] and run.report()["heap_top"] == run.heap_top


def test_stream_survives_a_cut_last_line(gomod, go, tmp_path):
    d = gomod({"main.go": "package main\n\nimport \"time\"\n\nfunc main() { time.Sleep(300 * time.Millisecond) }\n"})
    measure(build(d, go), duration=10, keep=tmp_path / "art")
    text = (tmp_path / "art" / "metrics.jsonl").read_text()
    full = collect.parse_stream(text)
    cut = collect.parse_stream(text[: len(text) - 25])
    assert full.end_reason == "exited" and full.final is not None
    assert cut.end_reason is None and len(cut.samples) >= len(full.samples) - 1
    assert all(re.fullmatch(r"[a-z_]+", k) for s in full.samples for k in s if k != "memstats")


def test_goroot_frames_are_not_user_locations(go):
    assert goroot(go) and not goroot(go).endswith("/")
