package main

import (
	"sync"
	"time"
)

// exercise serves requests and remembers each response for a short while, so
// that a client that retries a request (same id) gets the same answer
// without the work being done twice.
//
// TODO: run the check cell in labs/23_process_memory.ipynb before you change
// anything, and read how fast the live heap grows per request served. Then
// find what each request leaves in the service, and ask when it leaves again.
type exercise struct {
	mu   sync.Mutex
	seen map[uint64]answer
}

// answer is a response kept for retries, with when it stops being valid.
type answer struct {
	resp    []byte
	expires time.Time
}

// retryWindow is how long a response is kept for a retry.
const retryWindow = 50 * time.Millisecond

func (e *exercise) handle(r request) response {
	now := time.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.seen == nil {
		e.seen = make(map[uint64]answer)
	}
	if a, ok := e.seen[r.id]; ok {
		if now.Before(a.expires) {
			return response{status: 200, size: len(a.resp)}
		}
		delete(e.seen, r.id)
	}
	resp := render(r.body)
	e.seen[r.id] = answer{resp: resp, expires: now.Add(retryWindow)}
	return response{status: 200, size: len(resp)}
}

// render builds the response to a request's body.
func render(body []byte) []byte {
	out := make([]byte, len(body))
	for i, b := range body {
		out[len(body)-1-i] = b
	}
	return out
}
