package main

import "time"

// fixed fans work out to goroutines and waits for their answers over channels.
type fixed struct{}

// sum squares nums on a pool of workers and adds up the results.
func (fixed) sum(nums []int, workers int) int {
	jobs := make(chan int)
	results := make(chan int)
	for range workers {
		go fixed{}.worker(jobs, results)
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

func (fixed) worker(jobs <-chan int, results chan<- int) {
	for n := range jobs {
		results <- n * n
	}
}

// first returns the query's answer, or gives up after timeout.
func (fixed) first(query func() int, timeout time.Duration) (int, bool) {
	ch := make(chan int, 1) // room for one answer: a late answer lands in the buffer, the goroutine returns
	go func() { ch <- query() }()
	select {
	case v := <-ch:
		return v, true
	case <-time.After(timeout):
		return 0, false
	}
}
