package main

import (
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m) // the consumer goroutine must end with run
}

// TestPerRequestAllocations: handing over a pointer costs one allocation
// per request, a copy costs none.
func TestPerRequestAllocations(t *testing.T) {
	for _, c := range []struct {
		name string
		want float64
	}{{"pointer", 1}, {"value", 0}, {"leaky", 1}, {"fixed", 0}} {
		v := newVariant(c.name)
		done := make(chan int64)
		go func() { done <- v.consume() }()
		id := 0
		got := testing.AllocsPerRun(1000, func() { v.produce(id); id++ })
		v.close()
		<-done
		t.Logf("%-8s %g allocations per request", c.name, got)
		if got != c.want {
			t.Errorf("%s: %g allocations per request, want %g", c.name, got, c.want)
		}
	}
}

func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// growth is how much the live heap grew over 100 ms of requests.
func growth(name string) (int, int64) {
	leakyRecent = nil
	before := liveHeap()
	n, _ := run(newVariant(name), 20000, 100*time.Millisecond)
	return n, liveHeap() - before
}

func TestLeakyKeepsEveryRecord(t *testing.T) {
	n, g := growth("leaky")
	t.Logf("leaky: %d requests, live heap grew %d bytes (%d per request)", n, g, g/int64(n))
	if g < int64(n)*256 {
		t.Errorf("leaky: live heap grew %d bytes over %d requests; expected at least 256 per request", g, n)
	}
	leakyRecent = nil
}

func TestFixedStaysFlat(t *testing.T) {
	n, g := growth("fixed")
	t.Logf("fixed: %d requests, live heap grew %d bytes", n, g)
	if g > 64<<10 {
		t.Errorf("fixed: live heap grew %d bytes over %d requests", g, n)
	}
}
