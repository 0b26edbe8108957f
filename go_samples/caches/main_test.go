package main

import (
	"os"
	"runtime"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m) // no case may leave a goroutine behind either
}

var cases = []string{"map", "registry", "weak"}

// liveHeap is the heap still reachable after a full collection.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC() // the second cycle also frees what cleanups let go of
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// growth serves 100 requests to fill whatever is bounded, then 400 more,
// and returns how much the live heap grew over those 400.
func growth(v variant, which string) int64 {
	s := &server{v: v, which: which}
	for n := range 100 {
		s.serve(n)
	}
	before := liveHeap()
	for n := 100; n < 500; n++ {
		s.serve(n)
	}
	return liveHeap() - before
}

const limit = 1 << 20 // 400 requests retain 5-13 MiB in the leaky cases

func TestFixedHeapStaysFlat(t *testing.T) {
	for _, c := range cases {
		g := growth(fixed{}, c)
		t.Logf("case %-8s live heap grew %9d bytes over 400 requests", c, g)
		if g > limit {
			t.Errorf("case %s: live heap grew %d bytes over 400 requests", c, g)
		}
	}
}

func TestLeakyIsCaught(t *testing.T) {
	for _, c := range cases {
		g := growth(leaky{}, c)
		t.Logf("case %-8s live heap grew %9d bytes over 400 requests", c, g)
		if g < limit {
			t.Errorf("case %s: live heap grew only %d bytes over 400 requests; expected a leak", c, g)
		}
	}
}

// TestExercise checks your exercise.go; the lab's check cell runs it.
func TestExercise(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("set LEAKLAB_CHECK_EXERCISE=1 to check exercise.go")
	}
	for _, c := range cases {
		if g := growth(exercise{}, c); g > limit {
			t.Errorf("case %s: live heap grew %d bytes over 400 requests", c, g)
		}
	}
}
