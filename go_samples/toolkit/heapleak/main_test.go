package main

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"testing/synctest"

	"go.uber.org/goleak"
)

// liveHeap is the heap still reachable after a full GC.
func liveHeap() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// growth serves n requests on an empty cache and returns how much the
// live heap grew.
func growth(v variant, n int) int64 {
	clear(pages)
	before := liveHeap()
	for i := range n {
		v.serve(i)
	}
	return int64(liveHeap()) - int64(before)
}

func TestFixedKeepsABoundedHeap(t *testing.T) {
	// 2,000 pages of 8 kB pass through; at most keep of them may stay.
	if g := growth(variants["fixed"], 2000); g > 2*keep*8<<10 {
		t.Fatalf("live heap grew %d bytes, want at most %d", g, 2*keep*8<<10)
	}
}

func TestLeakyIsCaught(t *testing.T) {
	if g := growth(variants["leaky"], 2000); g < 2000*8<<10 {
		t.Fatalf("live heap grew only %d bytes for 2,000 kept pages", g)
	}
}

// goleak and synctest look at goroutines, not at memory: on the leaky
// variant, which keeps every page, both pass.
func TestGoleakCannotSeeAHeapLeak(t *testing.T) {
	defer goleak.VerifyNone(t)
	growth(variants["leaky"], 500)
}

func TestSynctestCannotSeeAHeapLeak(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		v := variants["leaky"]
		for i := range 500 {
			v.serve(i)
		}
	})
}
