package main

import (
	"math/rand/v2"
	"sync"
	"time"
)

// backend answers in 0-10 ms; lookups give up after 9 ms, so its slow tail
// times out.
func backend(key int) int {
	time.Sleep(time.Duration(rand.IntN(10_000)) * time.Microsecond)
	return key * 2
}

// worker is one of a fixed pool that writes audit records.
func worker(audit <-chan int) {
	for range audit {
	}
}

// flusher runs for the life of the service.
func flusher(stop <-chan struct{}) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-stop:
			return
		}
	}
}

// handle serves one request: some work, a lookup, an audit record.
func handle(v variant, id int, audit chan<- int, wg *sync.WaitGroup) {
	defer wg.Done()
	time.Sleep(time.Duration(10+rand.IntN(180)) * time.Millisecond)
	v.lookup(id, 9*time.Millisecond)
	audit <- id
}
