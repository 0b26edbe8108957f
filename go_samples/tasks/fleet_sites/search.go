package main

import (
	"math/rand/v2"
	"time"
)

// search asks the backend for q, or gives up after timeout.
func search(q int, backendMax, timeout time.Duration) (int, bool) {
	ch := make(chan int)
	go func() {
		ch <- backend(q, backendMax)
	}()
	select {
	case v := <-ch:
		return v, true
	case <-time.After(timeout):
		return 0, false
	}
}

// backend answers within max.
func backend(q int, max time.Duration) int {
	time.Sleep(rand.N(max))
	return q * 2
}
