// Looks like: many goroutines parked in sync.Mutex.Lock / RWMutex at every sample
// (heavy contention on a shared counter map); every one of them finishes.
// expect: clean
// category: mutex, waitgroup

package main

import (
	"fmt"
	"sync"
	"time"
)

type stats struct {
	mu     sync.RWMutex
	counts map[string]int
}

func (s *stats) inc(k string) {
	s.mu.Lock()
	s.counts[k]++
	time.Sleep(50 * time.Microsecond) // holds the lock a while
	s.mu.Unlock()
}

func (s *stats) get(k string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.counts[k]
}

func main() {
	s := &stats{counts: map[string]int{}}
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(2)
		go func() { defer wg.Done(); s.inc(fmt.Sprint("k", i%7)) }()
		go func() { defer wg.Done(); _ = s.get("k0") }()
	}
	wg.Wait()
	fmt.Println("k0 =", s.get("k0"))
}
