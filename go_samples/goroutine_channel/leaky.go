package main

import "time"

// leaky holds two ways to leave a goroutine blocked forever on a channel.
type leaky struct{}

// sum squares nums on a pool of workers and adds up the results.
func (leaky) sum(nums []int, workers int) int {
	jobs := make(chan int)
	results := make(chan int)
	for range workers {
		go leaky{}.worker(jobs, results)
	}
	go func() {
		for _, n := range nums {
			jobs <- n
		}
		// Nobody closes jobs: every worker stays in `range jobs` forever.
	}()
	total := 0
	for range nums {
		total += <-results
	}
	return total
}

func (leaky) worker(jobs <-chan int, results chan<- int) {
	for n := range jobs {
		results <- n * n
	}
}

// first returns the query's answer, or gives up after timeout.
func (leaky) first(query func() int, timeout time.Duration) (int, bool) {
	ch := make(chan int) // unbuffered: a send needs a receiver
	go func() { ch <- query() }()
	select {
	case v := <-ch:
		return v, true
	case <-time.After(timeout):
		// We return, so nobody will ever receive: the sender blocks forever.
		return 0, false
	}
}
