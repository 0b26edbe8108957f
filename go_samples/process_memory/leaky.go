package main

import (
	"sync"
	"time"
)

// leaky serves requests and keeps a record of each one for the service's
// /debug/requests page, which lists the most recent requests.
type leaky struct {
	mu      sync.Mutex
	history []record
}

func (l *leaky) handle(r request) response {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.history = append(l.history, record{time.Now(), r.client, r.id, r.headers, r.body})
	return response{status: 200, size: len(r.body)}
}
