"""Supervised runs of real Go programs: every way a run can end, and nothing left behind."""

import json
import os
import signal
import threading
import time

import pytest

from harness.build import build
from harness.measure import RunOptions, measure
from harness.supervise import alive


def test_main_returns_end_state_captured(gomod, go, no_leftovers):
    d = gomod({"main.go": """
        package main

        import "time"

        func main() { time.Sleep(300 * time.Millisecond) }
    """})
    r = measure(build(d, go), options=RunOptions(duration=10))
    assert r.exit == "exited" and r.returncode == 0
    assert r.wall_s < 5, "the harness must not wait for the deadline when main returns"
    assert len(r.samples) >= 4
    # The end state, taken as main returned: after the sleep and every periodic sample, with
    # main's goroutine the only one left (the probe's own are not counted).
    assert r.final is not None and r.final["t"] >= max(0.3, r.samples[-1]["t"]), (r.final, r.samples[-1])
    assert r.final["goroutines"] == 1, r.final


def test_end_capture_frees_what_a_finalizer_held_and_collects_once_without_one(gomod, go, no_leftovers):
    """The end state is measured after one collection, or two when finalizers were left to run:
    an object with a finalizer survives the collection that finds it unreachable, and what it
    holds is freed only by the next one, after the finalizer ran."""
    d = gomod({"main.go": """
        package main

        import (
            "os"
            "runtime"
        )

        type holder struct{ buf []byte }

        func main() {
            if len(os.Args) > 1 {
                return // nothing allocated, no finalizer
            }
            h := &holder{buf: make([]byte, 16<<20)}
            runtime.SetFinalizer(h, func(*holder) {})
            runtime.GC() // h is still reachable: the collection during main is behind us
            runtime.KeepAlive(h)
        }
    """})
    b = build(d, go)
    held = measure(b, options=RunOptions(duration=10))
    assert held.exit == "exited" and held.final is not None
    assert held.final["heap_live"] < 4 << 20, "16 MB held by a finalized object must be gone at the end"
    plain = measure(b, ["plain"], RunOptions(duration=10))
    assert plain.exit == "exited" and plain.final is not None
    assert plain.final["gc_cycles"] == 1, "one collection is enough when no finalizer is left to run"


def test_samples_are_paced_by_the_gc_when_it_runs_often_and_by_the_timer_otherwise(gomod, go, no_leftovers):
    """A program collecting garbage many times an interval is sampled from the GC hook (its own
    goroutines are not woken by the probe's timer); an idle one by the timer. Both every ~50 ms."""
    d = gomod({"main.go": """
        package main

        import (
            "os"
            "time"
        )

        type node struct {
            next *node
            val  [6]int
        }

        var keep [50]*node

        func main() {
            end := time.Now().Add(time.Second)
            if len(os.Args) > 1 {
                time.Sleep(time.Until(end))
                return
            }
            for r := 0; time.Now().Before(end); r++ {
                var head *node
                for i := 0; i < 1000; i++ {
                    head = &node{next: head}
                }
                keep[r%len(keep)] = head
            }
        }
    """})
    b = build(d, go)
    for args, by in (([], "gc"), (["idle"], "timer")):
        r = measure(b, args, RunOptions(duration=10, interval_ms=50))
        assert r.exit == "exited" and r.paced_by is not None, r.message
        total = r.paced_by["gc"] + r.paced_by["timer"]
        assert total >= 15 and r.paced_by[by] >= 0.8 * total, (args, r.paced_by)
        ts = [s["t"] for s in r.samples]
        gaps = sorted(b - a for a, b in zip(ts, ts[1:]))
        assert 0.04 <= gaps[len(gaps) // 2] <= 0.06, (args, gaps)
    # Timer samples sit on the interval's grid, as a ticker's: no drift, one per interval.
    assert abs(ts[-1] - ts[1] - 0.05 * (len(ts) - 2)) < 0.02, ts


def test_memstats_reads_are_timed_next_to_the_metrics_read(gomod, go, no_leftovers):
    d = gomod({"main.go": """
        package main

        import "time"

        func main() { time.Sleep(600 * time.Millisecond) }
    """})
    r = measure(build(d, go), options=RunOptions(duration=10, interval_ms=50, memstats_every=3))
    timed = [s for s in r.samples if "memstats" in s]
    assert len(timed) >= 3 and len(timed) <= len(r.samples) // 3 + 1
    assert all(s["memstats"]["ReadCostNs"] > 0 and s["metrics_read_ns"] > 0 for s in timed)
    assert not any("metrics_read_ns" in s for s in r.samples if "memstats" not in s)
    quiet = measure(build(d, go), options=RunOptions(duration=10, memstats_every=0))
    assert quiet.samples and not any("memstats" in s for s in quiet.samples)


def test_deadline_stops_program_and_captures_state(gomod, go, no_leftovers):
    d = gomod({"main.go": """
        package main

        func main() { select {} }
    """})
    r = measure(build(d, go), options=RunOptions(duration=1.0))
    assert r.exit == "deadline" and r.final is not None
    assert 0.9 < r.wall_s < 4


def test_memory_cap_kills_and_keeps_what_was_collected(gomod, go, no_leftovers):
    d = gomod({"main.go": """
        package main

        import "time"

        var keep [][]byte

        func main() {
            for {
                b := make([]byte, 8<<20)
                for i := range b { b[i] = 1 }
                keep = append(keep, b)
                time.Sleep(5 * time.Millisecond)
            }
        }
    """})
    r = measure(build(d, go), options=RunOptions(duration=30, rss_cap=128 << 20))
    assert r.exit == "memory_cap" and "128 MiB" in r.message
    assert r.samples, "samples written before the kill are kept"
    assert r.peak_rss > 128 << 20


def test_panic_is_crashed_with_go_message(gomod, go, no_leftovers):
    d = gomod({"main.go": """
        package main

        import "time"

        func main() {
            time.Sleep(100 * time.Millisecond)
            panic("boom at start")
        }
    """})
    r = measure(build(d, go), options=RunOptions(duration=10))
    assert r.exit == "crashed" and r.returncode == 2
    assert "panic: boom at start" in r.message and "main.go" in r.message


def test_hang_the_probe_cannot_stop_kills_whole_group(gomod, go, no_leftovers):
    # The program starts a child process, then stops itself (SIGSTOP): the probe cannot run,
    # so only the harness's hard deadline ends it, and the child must die with it.
    d = gomod({"main.go": """
        package main

        import (
            "fmt"
            "os"
            "os/exec"
            "syscall"
        )

        func main() {
            cmd := exec.Command("sleep", "300")
            if err := cmd.Start(); err != nil { panic(err) }
            fmt.Println(cmd.Process.Pid)
            os.Stdout.Sync()
            syscall.Kill(os.Getpid(), syscall.SIGSTOP)
        }
    """})
    r = measure(build(d, go), options=RunOptions(duration=0.5, grace_s=1.0))
    assert r.exit == "timeout" and "deadline" in r.message
    child = int(r.stdout_tail.split()[0])
    time.sleep(0.2)
    assert not alive(child), "the program's child process outlived the run"


def test_ignoring_sigterm_does_not_matter(gomod, go, no_leftovers):
    d = gomod({"main.go": """
        package main

        import (
            "os/signal"
            "syscall"
        )

        func main() {
            signal.Ignore(syscall.SIGTERM, syscall.SIGINT)
            for {}
        }
    """})
    r = measure(build(d, go), options=RunOptions(duration=0.8, grace_s=1.0))
    assert r.exit in ("deadline", "timeout")


def test_keyboard_interrupt_kills_group_and_removes_temp(gomod, go, no_leftovers):
    d = gomod({"main.go": """
        package main

        import "time"

        func main() { time.Sleep(time.Hour) }
    """})
    b = build(d, go)
    timer = threading.Timer(0.7, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        measure(b, options=RunOptions(duration=60))
    timer.cancel()


def test_together_runs_side_by_side_and_an_interrupt_stops_all(gomod, go, no_leftovers):
    from harness import supervise
    d = gomod({"main.go": """
        package main

        import "time"

        func main() { time.Sleep(time.Hour) }
    """})
    b = build(d, go)
    before = len(supervise._started)
    seen = []
    timer = threading.Timer(1.5, lambda: (seen.append(len(supervise._started) - before),
                                          os.kill(os.getpid(), signal.SIGINT)))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        supervise.together([lambda: measure(b, options=RunOptions(duration=60)), lambda: measure(b, options=RunOptions(duration=60))])
    timer.cancel()
    assert seen == [2], "both programs were running at the time of the interrupt"


def test_together_one_failure_stops_the_others(gomod, go, tmp_path, no_leftovers):
    from harness import supervise
    from harness.errors import BuildError
    d = gomod({"main.go": """
        package main

        import "time"

        func main() { time.Sleep(time.Hour) }
    """})
    b = build(d, go)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "go.mod").write_text("module example.com/bad\n\ngo 1.27\n")
    (bad / "main.go").write_text("package main\n\nfunc main() { undefinedThing() }\n")

    def failing():
        time.sleep(0.5)
        return build(bad, go, use_cache=False)
    with pytest.raises(BuildError):
        supervise.together([lambda: measure(b, options=RunOptions(duration=60)), failing])


def test_wall_time_ends_when_the_process_does_not_at_the_next_poll(tmp_path, no_leftovers):
    """supervise watches RSS every POLL_S, but it learns of the exit at once (a pidfd on Linux):
    a run's wall time, and the benchmarks' ratios of them, carry no poll-sized rounding."""
    from harness import supervise
    walls = []
    for i in range(5):
        d = tmp_path / str(i)
        d.mkdir()
        o = supervise.supervise(["/bin/sh", "-c", "exit 0"], d, dict(os.environ), 30)
        assert o.exit == "exited"
        walls.append(o.wall_s)
    assert min(walls) < supervise.POLL_S / 2, walls


def test_stdout_flood_is_tailed_not_loaded(gomod, go, no_leftovers):
    d = gomod({"main.go": """
        package main

        import (
            "bufio"
            "os"
            "strings"
        )

        func main() {
            w := bufio.NewWriter(os.Stdout)
            line := strings.Repeat("x", 99) + "\\n"
            for i := 0; i < 1_000_000; i++ { w.WriteString(line) }
            w.WriteString("THE END\\n")
            w.Flush()
        }
    """})
    r = measure(build(d, go), options=RunOptions(duration=30))
    assert r.exit == "exited"
    assert len(r.stdout_tail) <= 64 << 10 and r.stdout_tail.endswith("THE END\n")


@pytest.mark.parametrize("version", [None, "1.22"])
def test_the_goroutine_count_leaves_out_exactly_the_probes_own_goroutines(gomod, tmp_path, version, no_leftovers):
    """main and the three goroutines it starts are 4 in every sample, with an execution trace
    (runtime/trace reads it on a goroutine of its own) and without."""
    from harness.toolchain import go_for
    d = gomod({"main.go": """
        package main

        import "time"

        func main() {
            for i := 0; i < 3; i++ {
                go func() { select {} }()
            }
            time.Sleep(300 * time.Millisecond)
        }
    """})
    b = build(d, go_for(version))
    for trace in (False, True):
        r = measure(b, options=RunOptions(duration=10, trace=trace, keep=tmp_path / f"trace-{trace}"))
        assert r.exit == "exited" and r.final is not None, r.message
        counts = [s["goroutines"] for s in r.samples[1:]]  # the first sample is taken before main runs
        assert len(counts) >= 4 and set(counts) == {4} and r.final["goroutines"] == 4, (trace, counts, r.final)
        assert (tmp_path / f"trace-{trace}" / "trace.out").exists() == trace


@pytest.mark.parametrize("version,busy_from", [(None, "metrics"), ("1.22", "stack")])
def test_goroutines_still_running_or_sleeping_when_main_returns_are_waited_for(gomod, tmp_path, version, busy_from,
                                                                              no_leftovers):
    """The end state is captured once the program's goroutines that still run or sleep are done:
    told apart by runtime/metrics where it counts running goroutines (Go 1.27), by a goroutine
    dump on Go 1.22. Only the goroutine blocked for good is left."""
    from harness.toolchain import go_for
    d = gomod({"main.go": """
        package main

        import "time"

        func main() {
            end := time.Now().Add(300 * time.Millisecond)
            go func() { // still computing for 300 ms after main returns
                for time.Now().Before(end) {
                }
            }()
            go func() { time.Sleep(200 * time.Millisecond) }()
            go func() { select {} }()
        }
    """})
    r = measure(build(d, go_for(version)), options=RunOptions(duration=10, keep=tmp_path / "art"))
    assert r.exit == "exited" and r.final is not None, r.message
    assert [(s.function, s.wait_reason) for s in r.sites] == [("main.main.func3", "select (no cases)")], r.sites
    assert r.final["goroutines"] == 2, "main and the blocked one"
    end = [json.loads(ln) for ln in (tmp_path / "art" / "metrics.jsonl").read_text().splitlines() if '"end"' in ln]
    assert end[0]["busy_from"] == busy_from and end[0]["t"] >= 0.3, end


def test_run_options_are_one_object_checked_by_name():
    """Every layer passes one RunOptions down; a misspelt option is one clear error naming the
    options there are, not a TypeError deep inside, and lists given for sequences are frozen."""
    from harness.errors import TargetError
    from harness.samples import sample_options
    with pytest.raises(TargetError, match=r"unknown run option 'kep'; the options are: duration, rss_cap"):
        RunOptions.of(kep="art")
    o = RunOptions.of(duration=3, heap_at=[1.0, 2.0])
    assert o.heap_at == (1.0, 2.0) and o.but(trace=True).trace and not o.trace
    # a sample's run: the probe's deadline past the driver's end, GCs paced by the driver's duration
    s = sample_options("leaky", 2.0, o, keep="art")
    assert (s.duration, s.label, s.keep, s.heap_at) == (10.0, "leaky", "art", (1.0, 2.0))
    assert s.gc_every_ms == 80 and sample_options("fixed", 2.0, gc_every_ms=0).gc_every_ms == 0
    with pytest.raises(TypeError, match="RunOptions"):
        measure(None, [], {"duration": 1})
