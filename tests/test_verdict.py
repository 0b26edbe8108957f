"""Verdicts on real runs: growth, plateau, proof, and the trend statistics themselves."""

import random
import re

import pytest

from harness.build import build
from harness.measure import RunOptions, measure
from harness.samples import run_sample
from harness.verdict import mann_kendall_z, theil_sen


def test_theil_sen_ignores_outliers():
    ts = [i * 0.1 for i in range(50)]
    ys = [3 * t for t in ts]
    ys[10] = 1e6
    ys[30] = -1e6
    assert abs(theil_sen(ts, ys) - 3) < 1e-9


def test_mann_kendall_separates_trend_from_noise():
    rnd = random.Random(7)
    noise = [rnd.gauss(0, 1) for _ in range(60)]
    trend = [0.05 * i + rnd.gauss(0, 1) for i in range(60)]
    assert abs(mann_kendall_z(noise)) < 3 < mann_kendall_z(trend)


def test_sample_leaky_is_leak_with_proven_site():
    r = run_sample("goroutine_channel", "leaky", 1.5)
    assert r.verdict.verdict == "leak" and r.verdict.proven > 0
    assert r.verdict.goroutines.growing and r.verdict.goroutines.slope > 100
    assert r.verdict.headline.startswith("LEAK: +") and re.search(r"proven leaked(: [\d,]+)? at main\.leaky\.",
                                                                    r.verdict.headline), r.verdict.headline


def test_sample_fixed_is_clean():
    r = run_sample("goroutine_channel", "fixed", 1.5)
    assert r.verdict.verdict == "clean" and not r.sites, r.verdict.reasons


def test_heap_growth_is_a_leak_and_plateau_is_not(gomod, go):
    src = """
        package main

        import (
            "os"
            "time"
        )

        var cache = map[int][]byte{}

        func main() {
            limit := 1 << 30
            if os.Args[1] == "plateau" {
                limit = 20 // grows for the first 0.2 s, then only replaces entries
            }
            for i := 0; i < 250; i++ {
                cache[i%limit] = make([]byte, 32<<10)
                _ = make([]byte, 128<<10) // garbage, so GC runs
                time.Sleep(10 * time.Millisecond)
            }
        }
    """
    b = build(gomod({"main.go": src}), go)
    grow = measure(b, ["grow"], RunOptions(duration=20))
    flat = measure(b, ["plateau"], RunOptions(duration=20))
    assert grow.verdict.verdict == "leak" and grow.verdict.heap.growing, grow.verdict.reasons
    assert "live heap" in grow.verdict.headline
    assert flat.verdict.verdict == "clean", flat.verdict.reasons


def test_suspects_after_main_returns(gomod, go):
    # A send of a captured variable hides the channel from the goroutineleak profile
    # (the send's value pointer reaches the channel through the closure): not proven, but
    # still blocked after main returned, which the harness reports as a suspected leak.
    d = gomod({"main.go": """
        package main

        func main() {
            ch := make(chan int)
            for i := 0; i < 3; i++ {
                go func() { ch <- i }()
            }
        }
    """})
    r = measure(build(d, go), options=RunOptions(duration=10))
    assert r.verdict.verdict == "leak"
    assert [(s.function, s.wait_reason, s.count) for s in r.sites] == [("main.main.func1", "chan send", 3)]


def test_a_clean_verdict_says_when_too_few_gcs_ran_to_judge_the_heap(gomod, go):
    d = gomod({"main.go": """
        package main

        import "time"

        var kept [][]byte

        func main() {
            for i := 0; i < 40; i++ {
                kept = append(kept, make([]byte, 256<<10))
                time.Sleep(25 * time.Millisecond)
            }
        }
    """})
    b = build(d, go)
    blind = measure(b, options=RunOptions(duration=10, gc_every_ms=0, env={"GOGC": "off"}))  # no GC while it runs
    assert blind.verdict.verdict == "clean"
    assert "live heap not judged" in blind.verdict.headline, blind.verdict.headline
    seen = measure(b, options=RunOptions(duration=10, gc_every_ms=50))  # forced GCs measure the live heap
    assert seen.verdict.verdict == "leak" and "live heap" in seen.verdict.headline, seen.verdict.headline


@pytest.mark.slow  # several programs, each run to its end
def test_the_probe_forces_collections_only_where_the_live_heap_can_have_grown(gomod, go):
    """Forced collections measure the live heap; a program that allocates (next to) nothing gets
    one a second instead of four (gc_every 250 ms), and its heap is still judged: it cannot have
    grown by more than it allocated."""
    from harness.verdict import _gc_cycles
    prog = """
        package main

        import "time"

        var sink []byte

        func main() {
            for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
                if ALLOC {
                    sink = make([]byte, 8<<10)
                }
                time.Sleep(5 * time.Millisecond)
            }
        }
    """
    idle = measure(build(gomod({"main.go": prog.replace("ALLOC", "false")}), go), options=RunOptions(duration=10, gc_every_ms=250))
    busy = measure(build(gomod({"main.go": prog.replace("ALLOC", "true")}), go), options=RunOptions(duration=10, gc_every_ms=250))
    assert _gc_cycles(idle.samples) <= 5 < 9 <= _gc_cycles(busy.samples), (_gc_cycles(idle.samples),
                                                                          _gc_cycles(busy.samples))
    # The idle program's first collection is forced (its start-up allocated more than the quiet
    # limit); that collection allocates the runtime's own GC state, which is not the program's:
    # the next one comes four periods later, not at the next period.
    seen = [s["t"] for a, s in zip(idle.samples, idle.samples[1:]) if s.get("gc_cycles", 0) > a.get("gc_cycles", 0)]
    assert len(seen) >= 2 and seen[1] - seen[0] >= 0.9, seen
    assert idle.verdict.verdict == busy.verdict.verdict == "clean"
    assert idle.verdict.headline.startswith("clean: flat goroutines and live heap"), idle.verdict.headline
    assert busy.verdict.headline == "clean: flat goroutines and live heap", busy.verdict.headline
