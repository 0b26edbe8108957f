package main

import (
	"os"
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"
)

var cases = []string{"handlers", "goroutine", "timer"}

// liveHeap is the heap still reachable after a full GC.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// retained serves n uploads of one case and returns the live heap they left
// behind per upload, measured while the service holding the closures lives.
func retained(v variant, which string, n, size int) float64 {
	s := newService(time.Hour)
	defer s.stop()
	before := liveHeap()
	for i := range n {
		s.serve(v, which, i, size)
	}
	after := liveHeap()
	runtime.KeepAlive(s)
	return (float64(after) - float64(before)) / float64(n)
}

func TestRetainedBytesPerClosure(t *testing.T) {
	const n, size = 200, 64 << 10
	for _, which := range cases {
		t.Run(which, func(t *testing.T) {
			leak, fix := retained(leaky{}, which, n, size), retained(fixed{}, which, n, size)
			t.Logf("%-9s leaky: %7.0f B per closure   fixed: %4.0f B per closure", which, leak, fix)
			if leak < size/2 {
				t.Errorf("leaky keeps %.0f B per closure, expected about one %d B body", leak, size)
			}
			if fix > 1024 {
				t.Errorf("fixed keeps %.0f B per closure, expected a few hundred at most", fix)
			}
		})
	}
}

func TestFixedLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	load(fixed{}, "all", 64<<10, 500, time.Hour, 100*time.Millisecond)
}

// TestExercise checks your exercise.go; the lab's check cell runs it.
func TestExercise(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("set LEAKLAB_CHECK_EXERCISE=1 to check exercise.go")
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, which := range cases {
		if b := retained(exercise{}, which, 200, 64<<10); b > 1024 {
			t.Errorf("case %s: each upload still leaves %.0f B behind (one body is %d B)", which, b, 64<<10)
		}
	}
}
