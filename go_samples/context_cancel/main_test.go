package main

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// liveHeap is the heap still reachable after a full GC.
func liveHeap() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// retained serves n requests of one case under a long-lived parent and
// returns how many bytes they left reachable.
func retained(v variant, which string, n, body int) uint64 {
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := liveHeap()
	for i := range n {
		serveOne(parent, v, which, i, body, time.Minute)
	}
	after := liveHeap()
	runtime.KeepAlive(parent)
	return max(after, before) - before
}

const n, body = 2000, 4 << 10 // 8 MB of request bodies in all

func checkHeap(t *testing.T, v variant, wantLeak bool) {
	// tree first: lostcancel's stopped timers leave the runtime's timer heap
	// lazily, and what they hold would be freed during the next measurement.
	for _, c := range []string{"tree", "lostcancel"} {
		got := retained(v, c, n, body)
		report := t.Logf
		if leaked := got > n*body/8; leaked != wantLeak {
			report = t.Errorf
		}
		report("%s: %d requests of %d B left %d B reachable", c, n, body, got)
	}
}

func TestFixedReleasesContexts(t *testing.T) { checkHeap(t, fixed{}, false) }

func TestLeakyRetainsContexts(t *testing.T) { checkHeap(t, leaky{}, true) }

func TestFixedLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	load(server, fixed{}, cases, 500, 64, time.Minute, 100*time.Millisecond)
}

func TestLeakyIsCaught(t *testing.T) {
	before := goleak.IgnoreCurrent()
	load(server, leaky{}, []string{"ignoredone"}, 500, 64, time.Minute, 100*time.Millisecond)
	if err := goleak.Find(before); err == nil {
		t.Fatal("goleak found no leaked goroutine in the leaky variant")
	}
}

// TestExercise checks your exercise.go; the lab's check cell runs it.
func TestExercise(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("set LEAKLAB_CHECK_EXERCISE=1 to check exercise.go")
	}
	t.Run("goroutines", func(t *testing.T) {
		defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
		load(server, exercise{}, cases, 500, 64, time.Minute, 100*time.Millisecond)
	})
	t.Run("heap", func(t *testing.T) { checkHeap(t, exercise{}, false) })
}
