// Package leaky is the channel code of go_samples/goroutine_channel as a
// library: Sum strands its workers, First strands its sender on a timeout.
package leaky

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
		// Nobody closes jobs: every worker stays in `range jobs` forever.
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
