package main

import (
	"runtime"
	"runtime/metrics"
	"testing"
)

// liveHeap is the heap the last GC found reachable; GC first so it is now.
func liveHeap() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// growth serves n requests and returns how much the live heap grew.
func growth(v variant, n int) int64 {
	clear(sessions)
	before := liveHeap()
	for i := range n {
		v.handle(i, 16<<10)
	}
	return int64(liveHeap()) - int64(before)
}

func TestFixedKeepsTheLiveHeapFlat(t *testing.T) {
	if g := growth(fixed{}, 500); g > 1<<20 {
		t.Errorf("live heap grew %d bytes over 500 requests", g)
	}
}

func TestLeakyGrowsTheLiveHeap(t *testing.T) {
	if g := growth(leaky{}, 500); g < 500*16<<10 {
		t.Errorf("live heap grew only %d bytes over 500 requests, want >= %d", g, 500*16<<10)
	}
}
