// Looks like: subscriber goroutines blocked on channels that nothing holds strongly:
// the registry keeps only weak pointers (Go 1.24 `weak`), the subscription is kept
// alive by its own goroutine. The publisher still delivers to every subscriber every
// 100 ms through the weak pointers, for as long as the server runs.
// expect: clean
// category: channel
// duration: 1.5
// known-miss: Go 1.27's goroutineleak GC does not count weak pointers, so it marks these live subscribers "leaked" (a false proof the harness reports as LEAK); and a subscriber woken after that profile was taken crashes the program with "fatal error: bad g->status in ready" (the probe profiles at the deadline while the program still runs)

package main

import (
	"sync"
	"time"
	"weak"
)

type subscription struct {
	ch   chan string
	last string
}

var (
	mu   sync.Mutex
	subs []weak.Pointer[subscription]
)

func subscribe() {
	s := &subscription{ch: make(chan string)}
	mu.Lock()
	subs = append(subs, weak.Make(s))
	mu.Unlock()
	go func() {
		for m := range s.ch {
			s.last = m // keeps s (and its channel) alive
		}
	}()
}

func publish(m string) {
	mu.Lock()
	defer mu.Unlock()
	for _, wp := range subs {
		if s := wp.Value(); s != nil {
			s.ch <- m
		}
	}
}

func main() {
	for i := 0; i < 3; i++ {
		subscribe()
	}
	for {
		time.Sleep(100 * time.Millisecond)
		publish("tick")
	}
}
