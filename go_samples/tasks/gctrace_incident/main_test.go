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

// growth serves n requests on a warm cache and returns how much the live heap grew.
func growth(keep, n int) int64 {
	c := newCache(64, 16<<10, keep)
	before := liveHeap()
	for i := range n {
		handle(c, i, 16<<10)
	}
	g := int64(liveHeap()) - int64(before)
	runtime.KeepAlive(c)
	return g
}

func TestTheCacheIsBounded(t *testing.T) {
	if g := growth(0, 500); g > 1<<20 {
		t.Errorf("live heap grew %d bytes over 500 requests with a bounded cache", g)
	}
}

func TestTheHistoryGrows(t *testing.T) {
	if g := growth(16<<10, 500); g < 400*16<<10 {
		t.Errorf("live heap grew only %d bytes over 500 requests with a history, want >= %d", g, 400*16<<10)
	}
}
