package main

import "time"

// leaky fans work out to goroutines and waits for their answers over channels.
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
	ch := make(chan int)
	go func() { ch <- query() }()
	select {
	case v := <-ch:
		return v, true
	case <-time.After(timeout):
		return 0, false
	}
}
