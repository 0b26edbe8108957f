// Pattern: recursive read locking (Kubernetes, Syncthing): a reader takes RLock and,
// deeper in the call, RLock again. If a writer queues between the two, the inner RLock
// waits for the writer and the writer waits for the outer RLock. Scheduling-dependent.
// expect: leak
// category: mutex
// repeat: 5
// min-detect: 0.6
// site: main.(*registry).List | sync.RWMutex.RLock | proven
// site: main.(*registry).Add | sync.RWMutex.Lock | proven

package main

import (
	"fmt"
	"sync"
	"time"
)

type registry struct {
	mu    sync.RWMutex
	items []string
}

func (r *registry) count() int {
	r.mu.RLock() // BUG: re-entrant RLock
	defer r.mu.RUnlock()
	return len(r.items)
}

func (r *registry) List(n int) {
	for i := 0; i < n; i++ {
		r.mu.RLock()
		_ = r.count()
		r.mu.RUnlock()
	}
}

func (r *registry) Add(n int) {
	for i := 0; i < n; i++ {
		r.mu.Lock()
		r.items = append(r.items[:0], "x")
		r.mu.Unlock()
	}
}

func main() {
	r := &registry{}
	go r.List(1_000_000)
	go r.Add(1_000_000)
	time.Sleep(100 * time.Millisecond)
	fmt.Println("done waiting")
}
