package main

import (
	"os"
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// liveHeap is the heap still reachable after a full collection.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// growth serves 0.3 s of requests to fill whatever is bounded, then 0.3 s more,
// and returns how much the live heap grew over the second part, with the
// number of requests served in it.
func growth(v variant) (int64, int) {
	load(v, 2000, 8192, 64, 300*time.Millisecond)
	before := liveHeap()
	n := load(v, 2000, 8192, 64, 300*time.Millisecond)
	after := liveHeap()
	runtime.KeepAlive(v)
	return after - before, n
}

const limit = 2 << 20 // 0.3 s of the leaky variant retains about 5 MB

func TestFixedHeapStaysFlat(t *testing.T) {
	g, n := growth(&fixed{})
	t.Logf("live heap grew %d bytes over %d requests", g, n)
	if g > limit {
		t.Errorf("live heap grew %d bytes over %d requests", g, n)
	}
}

func TestLeakyIsCaught(t *testing.T) {
	g, n := growth(&leaky{})
	t.Logf("live heap grew %d bytes over %d requests", g, n)
	if g < limit {
		t.Errorf("live heap grew only %d bytes over %d requests; expected a leak", g, n)
	}
}

func TestBurstReturnsItsMemory(t *testing.T) {
	before := liveHeap()
	burst(32, time.Millisecond, true)
	if g := liveHeap() - before; g > limit {
		t.Errorf("live heap grew %d bytes after a burst", g)
	}
}

// TestExercise checks your exercise.go; the lab's check cell runs it.
func TestExercise(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("set LEAKLAB_CHECK_EXERCISE=1 to check exercise.go")
	}
	g, n := growth(&exercise{})
	t.Logf("live heap grew %d bytes over %d requests", g, n)
	if g > limit {
		t.Errorf("live heap grew %d bytes over %d requests: what does each request leave behind?", g, n)
	}
}
