package main

import (
	"sync"
	"time"
)

// fixed serves requests and keeps a record of each one for the service's
// /debug/requests page, which lists the most recent requests.
type fixed struct {
	mu      sync.Mutex
	history []record
	next    int // where the next record goes once history is full
}

// keep is how many records the debug page can show: older ones are overwritten.
const keep = 256

func (f *fixed) handle(r request) response {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.history) < keep {
		f.history = append(f.history, record{time.Now(), r.client, r.id, r.headers, r.body})
	} else {
		f.history[f.next] = record{time.Now(), r.client, r.id, r.headers, r.body}
	}
	f.next = (f.next + 1) % keep
	return response{status: 200, size: len(r.body)}
}
