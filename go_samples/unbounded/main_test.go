package main

import (
	"os"
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m) // every case's goroutines are done once its requests are served
}

// liveHeap is the heap still reachable after a full collection. One, not
// two: a sync.Pool keeps what it holds through one collection (as its
// victim cache) and drops it at the second.
func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// overload runs one case for d at 1,000 requests per second against a
// backend that answers 400 per second, and returns the goroutines running
// and the live heap grown at the end of it, before the service stops.
func overload(mk func(backends) variant, which string, d time.Duration) (goroutines int, heap int64) {
	b := backends{spawn: newBackend(4, 10*time.Millisecond), queue: newBackend(4, 10*time.Millisecond),
		pool: newBackend(64, 50*time.Millisecond)}
	before, base := liveHeap(), runtime.NumGoroutine()
	v := mk(b)
	switch which {
	case "spawn":
		arrivals(1000, 8<<10, d, v.spawn)
	case "queue":
		arrivals(1000, 8<<10, d, v.enqueue)
	case "pool":
		submit, wait := handlers(v, 64)
		arrivals(1000, 8<<10, d, submit)
		wait()
	}
	goroutines, heap = runtime.NumGoroutine()-base, liveHeap()-before
	v.stop()
	for start := time.Now(); runtime.NumGoroutine() > base && time.Since(start) < 10*time.Second; {
		time.Sleep(10 * time.Millisecond) // what was admitted is served before the next test
	}
	return goroutines, heap
}

// runFor is how long each case runs: the pool case needs several large
// responses before they show.
var runFor = map[string]time.Duration{"spawn": 800 * time.Millisecond, "queue": 800 * time.Millisecond, "pool": 2 * time.Second}

// bounded fails t if a case let goroutines or live heap pile up.
func bounded(t *testing.T, mk func(backends) variant) {
	for _, c := range []string{"spawn", "queue", "pool"} {
		g, h := overload(mk, c, runFor[c])
		t.Logf("case %-5s %4d goroutines running, live heap %+9d bytes after %v", c, g, h, runFor[c])
		if g > 100 || h > 2<<20 {
			t.Errorf("case %s: %d goroutines, live heap %+d bytes after %v of overload: what bounds them?", c, g, h, runFor[c])
		}
	}
}

func TestFixedStaysBounded(t *testing.T) {
	bounded(t, variants["fixed"])
}

func TestLeakyPilesUp(t *testing.T) {
	if g, _ := overload(variants["leaky"], "spawn", 800*time.Millisecond); g < 200 {
		t.Errorf("spawn: only %d goroutines after 0.8 s of overload", g)
	}
	for _, c := range []string{"queue", "pool"} {
		if _, h := overload(variants["leaky"], c, runFor[c]); h < 2<<20 {
			t.Errorf("%s: live heap grew only %d bytes in %v of overload", c, h, runFor[c])
		}
	}
}

// TestExercise checks your exercise.go; the lab's check cell runs it.
func TestExercise(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("set LEAKLAB_CHECK_EXERCISE=1 to check exercise.go")
	}
	bounded(t, variants["exercise"])
}
