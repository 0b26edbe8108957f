package main

import "sync"

// exercise serves each request in the background, keeps a list of waiting
// requests for its workers, and builds responses in pooled byte slices.
//
// TODO: run the check cell in labs/25_unbounded_growth.ipynb before you
// change anything. It runs the three cases at once, under the same overload
// as the lesson. Note what grows (goroutines, live heap) and where the
// goroutines wait; then, for each case, ask what decides how much of it can
// pile up when requests arrive faster than the backend answers.
type exercise struct {
	b       backends
	running sync.WaitGroup // requests served in the background
	mu      sync.Mutex
	ready   *sync.Cond // signalled when a request is added or the service stops
	waiting []request
	stopped bool
	workers sync.WaitGroup
}

// exerciseScratch holds response slices for reuse between requests.
var exerciseScratch = sync.Pool{New: func() any {
	b := make([]byte, 0, 4<<10)
	return &b
}}

func newExercise(b backends) *exercise {
	e := &exercise{b: b}
	e.ready = sync.NewCond(&e.mu)
	for range 4 {
		e.workers.Go(e.work)
	}
	return e
}

func (e *exercise) spawn(r request) {
	e.running.Go(func() { e.b.spawn.call(r) })
}

func (e *exercise) enqueue(r request) {
	e.mu.Lock()
	e.waiting = append(e.waiting, r)
	e.mu.Unlock()
	e.ready.Signal()
}

// work serves waiting requests, oldest first, until the service stops and
// none is left.
func (e *exercise) work() {
	for {
		e.mu.Lock()
		for len(e.waiting) == 0 && !e.stopped {
			e.ready.Wait()
		}
		if len(e.waiting) == 0 {
			e.mu.Unlock()
			return
		}
		r := e.waiting[0]
		e.waiting = e.waiting[1:]
		e.mu.Unlock()
		e.b.queue.call(r)
	}
}

func (e *exercise) render(r request) int {
	p := exerciseScratch.Get().(*[]byte)
	out := appendResponse((*p)[:0], r, e.b.pool)
	n := len(out)
	*p = out
	exerciseScratch.Put(p)
	return n
}

func (e *exercise) stop() {
	e.mu.Lock()
	e.stopped = true
	e.mu.Unlock()
	e.ready.Broadcast()
}
