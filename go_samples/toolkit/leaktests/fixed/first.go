// Package fixed is the channel code of go_samples/goroutine_channel as a
// library, with each goroutine given a way to finish.
package fixed

import "time"

// Sum squares nums on a pool of workers and adds up the results.
func Sum(nums []int, workers int) int {
	jobs := make(chan int)
	results := make(chan int)
	for range workers {
		go worker(jobs, results)
	}
	go func() {
		for _, n := range nums {
			jobs <- n
		}
		close(jobs) // the sender owns the channel and says "no more": workers return
	}()
	total := 0
	for range nums {
		total += <-results
	}
	return total
}

func worker(jobs <-chan int, results chan<- int) {
	for n := range jobs {
		results <- n * n
	}
}

// First returns the query's answer, or gives up after timeout.
func First(query func() int, timeout time.Duration) (int, bool) {
	ch := make(chan int, 1) // room for one answer: the send never waits for a receiver
	go func() { ch <- query() }()
	select {
	case v := <-ch:
		return v, true
	case <-time.After(timeout):
		// The late answer lands in the buffer and is collected with ch.
		return 0, false
	}
}
