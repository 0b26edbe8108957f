// Package memstats puts a program under load (parked goroutines, running
// goroutines, a big live heap) so benchmarks can measure what reading memory
// statistics costs under it.
package memstats

import (
	"math"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// Settle waits (up to a second) until no goroutine but the caller is running
// or waiting to run: new goroutines must first run to the point where they
// block, and the runtime may have background work to finish.
func Settle() {
	s := Samples([]string{"/sched/goroutines/runnable:goroutines", "/sched/goroutines/running:goroutines"})
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if metrics.Read(s); s[0].Value.Uint64() == 0 && s[1].Value.Uint64() <= 1 {
			return
		}
	}
}

// Park starts n goroutines blocked on a channel; stop releases them and
// waits until they are gone.
func Park(n int) (stop func()) {
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { <-release })
	}
	return func() { close(release); wg.Wait() }
}

// Spin starts n goroutines that compute until stop, which waits for them.
func Spin(n int) (stop func()) {
	var done atomic.Bool
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			x := uint64(1)
			for !done.Load() {
				x = x*6364136223846793005 + 1
			}
			runtime.KeepAlive(x)
		})
	}
	return func() { done.Store(true); wg.Wait() }
}

// node is a small heap object with a pointer, as in most Go data structures.
type node struct {
	next    *node
	payload [48]byte
}

// Heap builds about bytes of live heap as a linked list of 64-byte nodes.
func Heap(bytes int) *node {
	var head *node
	for range bytes / 64 {
		head = &node{next: head}
	}
	return head
}

// Probe is what a monitoring loop reads: the same ten values a leak probe samples.
var Probe = []string{
	"/gc/heap/live:bytes", "/gc/heap/objects:objects",
	"/memory/classes/heap/objects:bytes", "/memory/classes/heap/stacks:bytes",
	"/gc/heap/allocs:bytes", "/gc/heap/allocs:objects", "/gc/cycles/total:gc-cycles",
	"/gc/heap/goal:bytes", "/memory/classes/total:bytes", "/sched/goroutines:goroutines",
}

// Samples returns a sample slice for names, ready for metrics.Read.
func Samples(names []string) []metrics.Sample {
	s := make([]metrics.Sample, len(names))
	for i, n := range names {
		s[i].Name = n
	}
	return s
}

// Pauses reads the runtime's histograms of stop-the-world pauses not caused
// by the GC: their whole length, and the part spent stopping goroutines.
func Pauses() (total, stopping *metrics.Float64Histogram) {
	s := Samples([]string{"/sched/pauses/total/other:seconds", "/sched/pauses/stopping/other:seconds"})
	metrics.Read(s)
	return s[0].Value.Float64Histogram(), s[1].Value.Float64Histogram()
}

// Since summarizes the pauses added to a histogram between two readings:
// how many, and the median length in seconds (the middle of its bucket).
func Since(before, after *metrics.Float64Histogram) (n uint64, median float64) {
	counts := make([]uint64, len(after.Counts))
	for i := range counts {
		counts[i] = after.Counts[i] - before.Counts[i]
		n += counts[i]
	}
	seen := uint64(0)
	for i, c := range counts {
		if seen += c; c > 0 && 2*seen >= n {
			lo, hi := max(after.Buckets[i], 0), after.Buckets[i+1]
			if math.IsInf(hi, 1) {
				hi = lo
			}
			return n, (lo + hi) / 2
		}
	}
	return n, 0
}

// Goroutines reads the two counts of goroutines a program can ask for: what
// runtime.NumGoroutine returns, and /sched/goroutines:goroutines.
func Goroutines() (numGoroutine int, metric uint64) {
	s := Samples([]string{"/sched/goroutines:goroutines"})
	metrics.Read(s)
	return runtime.NumGoroutine(), s[0].Value.Uint64()
}
