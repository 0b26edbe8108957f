package main

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// step is what is still live after a full collection, at one point of a demo.
type step struct {
	T          float64  `json:"t"`
	Name       string   `json:"step"`
	LiveHeap   uint64   `json:"live_heap"`
	Registered int      `json:"registered"`
	Sessions   int64    `json:"sessions_freed"`
	Buffers    int64    `json:"buffers_freed"`
	Freed      []string `json:"freed,omitempty"`
	Served     int      `json:"served,omitempty"`
}

var start = time.Now()

// collect runs a full GC, waits until the cleanups it queued have run,
// and returns the live heap that GC measured.
func collect() uint64 {
	runtime.GC()
	last, still := counted(), time.Now()
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
		if n := counted(); n != last {
			last, still = n, time.Now()
		} else if time.Since(still) > 30*time.Millisecond {
			break
		}
	}
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func counted() int64 {
	named.Lock()
	defer named.Unlock()
	return freed.sessions.Load() + freed.buffers.Load() + int64(len(named.freed))
}

func snapshot(name string) step {
	live := collect()
	named.Lock()
	defer named.Unlock()
	return step{T: time.Since(start).Seconds(), Name: name, LiveHeap: live,
		Registered: len(registry), Sessions: freed.sessions.Load(),
		Buffers: freed.buffers.Load(), Freed: append([]string(nil), named.freed...)}
}

// named records, by name, which watched objects the GC has freed.
var named struct {
	sync.Mutex
	freed []string
}

func watch[T any](p *T, name string) *T {
	runtime.AddCleanup(p, func(name string) {
		named.Lock()
		named.freed = append(named.freed, name)
		named.Unlock()
	}, name)
	return p
}
