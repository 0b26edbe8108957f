package main

import "time"

// leaky gives up on a slow backend but leaves the fetch goroutine behind.
type leaky struct{}

// lookup asks the backend for key, or gives up after timeout.
func (leaky) lookup(key int, timeout time.Duration) (int, bool) {
	ch := make(chan int) // unbuffered: the fetch can only finish if we receive
	go leaky{}.fetch(key, ch)
	select {
	case v := <-ch:
		return v, true
	case <-time.After(timeout):
		return 0, false
	}
}

func (leaky) fetch(key int, ch chan<- int) {
	ch <- backend(key) // after a timeout, nobody receives: blocked forever
}
