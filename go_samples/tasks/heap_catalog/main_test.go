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

// growth serves n requests over a catalog of products and returns how much
// the live heap grew.
func growth(products, n int) int64 {
	clear(images)
	visits = nil
	before := liveHeap()
	for i := range n {
		serve(i%products, 64<<10, 16<<10)
	}
	return int64(liveHeap()) - int64(before)
}

// Once every product was served, more requests add no image: the cache is
// bounded by the catalog.
func TestImagesStopGrowingWithTheCatalog(t *testing.T) {
	growth(50, 50)
	if n := len(images); n != 50 {
		t.Fatalf("%d images cached for a catalog of 50", n)
	}
	growth(50, 500)
	if n := len(images); n != 50 {
		t.Fatalf("%d images cached after 500 requests over 50 products", n)
	}
}

// Every request keeps its visit: the live heap grows with the requests.
func TestVisitsGrowWithTheRequests(t *testing.T) {
	small, large := growth(10, 100), growth(10, 600)
	if large-small < 400*16<<10 {
		t.Errorf("live heap grew %d bytes for 600 requests and %d for 100: want >= %d more", large, small, 400*16<<10)
	}
}
