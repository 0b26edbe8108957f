package main

import (
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"time"
	"weak"
)

func newStrong() *strongCache { return &strongCache{m: map[int]*image{}} }
func newWeak() *weakCache     { return &weakCache{m: map[int]weak.Pointer[image]{}} }

// stats is what the cache workload reports every 50 ms and at the end.
type stats struct {
	T       float64 `json:"t"`
	Hits    int     `json:"hits"`
	Misses  int     `json:"misses"`
	Entries int     `json:"entries"`
	Final   bool    `json:"final,omitempty"`
}

// serveCache asks for rate images per second, popular keys more often
// (Zipf); the last inUse images stay held, as by requests in flight.
func serveCache(c cache, rate, keys, inUse, size int, duration time.Duration, report func(stats)) stats {
	zipf := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.1, 1, uint64(keys-1))
	held := make([]*image, inUse)
	var s stats
	begin, lastReport := time.Now(), time.Now()
	for n := 0; time.Since(begin) < duration; n++ {
		key := int(zipf.Uint64())
		v := c.get(key)
		if v == nil {
			s.Misses++
			v = &image{key: key, pix: make([]byte, size)}
			c.put(key, v)
		} else {
			s.Hits++
		}
		held[n%inUse] = v
		if time.Since(lastReport) >= 50*time.Millisecond {
			lastReport = time.Now()
			s.T, s.Entries = time.Since(start).Seconds(), c.len()
			report(s)
		}
		if next := begin.Add(time.Duration(n+1) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	s.T, s.Entries = time.Since(start).Seconds(), c.len()
	return s
}

var start = time.Now()

// collect runs full GCs until the finalizers or cleanups they queued have
// run, and returns the live heap.
func collect() uint64 {
	last, still := fds.closed.Load(), time.Now()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
		if n := fds.closed.Load(); n != last {
			last, still = n, time.Now()
		} else if time.Since(still) > 50*time.Millisecond {
			break
		}
	}
	runtime.GC() // frees what the finalizers just let go of
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
