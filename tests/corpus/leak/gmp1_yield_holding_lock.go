// Pattern: cooperative batching with a lock (Syncthing model / CockroachDB queue style)
// run on GOMAXPROCS=1: the batcher yields while holding the lock and exits its loop on
// an error without unlocking, stranding the request goroutines.
// expect: leak
// category: mutex
// env: GOMAXPROCS=1
// site: main.(*batcher).enqueue | sync.Mutex.Lock | proven

package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

type batcher struct {
	mu      sync.Mutex
	pending []int
}

func (b *batcher) enqueue(v int) {
	b.mu.Lock()
	b.pending = append(b.pending, v)
	b.mu.Unlock()
}

func (b *batcher) flushLoop() {
	for i := 0; ; i++ {
		b.mu.Lock()
		if len(b.pending) > 3 {
			fmt.Println("batch too large, aborting flush loop")
			return // BUG: b.mu stays locked
		}
		runtime.Gosched() // yields while holding the lock
		b.mu.Unlock()
		runtime.Gosched()
	}
}

func main() {
	b := &batcher{}
	go b.flushLoop()
	for v := 0; v < 8; v++ {
		go b.enqueue(v)
	}
	time.Sleep(5 * time.Millisecond)
	for v := 8; v < 11; v++ { // later requests find the lock abandoned
		go b.enqueue(v)
	}
	time.Sleep(10 * time.Millisecond)
}
