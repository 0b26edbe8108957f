package main

import (
	"bytes"
	"sync"

	"golang.org/x/sync/errgroup"
)

// fixed serves each request in the background, hands queued work to a pool
// of workers through a channel, and builds responses in pooled buffers.
type fixed struct {
	b        backends
	jobs     chan request
	done     sync.WaitGroup
	inflight errgroup.Group // at most maxInFlight requests served at a time
}

// fixedBuffers holds response buffers for reuse between requests.
var fixedBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxInFlight bounds the requests served at once; maxQueued the requests
// waiting for a worker; maxPooled the size of a buffer worth keeping.
const maxInFlight, maxQueued, maxPooled = 64, 64, 64 << 10

func newFixed(b backends) *fixed {
	f := &fixed{b: b}
	f.inflight.SetLimit(maxInFlight)       // Go blocks until one of them is done: back-pressure
	f.jobs = make(chan request, maxQueued) // a full queue blocks the receiver: back-pressure
	for range 4 {
		f.done.Go(f.work)
	}
	return f
}

func (f *fixed) spawn(r request) {
	f.inflight.Go(func() error { f.b.spawn.call(r); return nil })
}

func (f *fixed) enqueue(r request) {
	f.jobs <- r
}

func (f *fixed) work() {
	for r := range f.jobs {
		f.b.queue.call(r)
	}
}

func (f *fixed) render(r request) int {
	buf := fixedBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	writeResponse(buf, r, f.b.pool)
	n := buf.Len()
	if buf.Cap() <= maxPooled { // a large buffer goes to the GC, not back to the pool (as fmt does)
		fixedBuffers.Put(buf)
	}
	return n
}

func (f *fixed) stop() {
	close(f.jobs)
}
