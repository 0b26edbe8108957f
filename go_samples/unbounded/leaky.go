package main

import (
	"bytes"
	"sync"
)

// leaky serves each request in the background, hands queued work to a pool
// of workers through a channel, and builds responses in pooled buffers.
type leaky struct {
	b    backends
	jobs chan request
	done sync.WaitGroup
}

// leakyBuffers holds response buffers for reuse between requests.
var leakyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func newLeaky(b backends) *leaky {
	l := &leaky{b: b}
	l.jobs = make(chan request, 1<<16) // deep enough that a burst never blocks the receiver
	for range 4 {
		l.done.Go(l.work)
	}
	return l
}

func (l *leaky) spawn(r request) {
	go l.b.spawn.call(r)
}

func (l *leaky) enqueue(r request) {
	l.jobs <- r
}

func (l *leaky) work() {
	for r := range l.jobs {
		l.b.queue.call(r)
	}
}

func (l *leaky) render(r request) int {
	buf := leakyBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	writeResponse(buf, r, l.b.pool)
	n := buf.Len()
	leakyBuffers.Put(buf)
	return n
}

func (l *leaky) stop() {
	close(l.jobs)
}
