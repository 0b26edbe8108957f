package main

import "time"

// exercise starts as a copy of leaky. Make it stop leaking, then run the
// check cell in labs/01_goroutine_channel.ipynb.
type exercise struct{}

// sum squares nums on a pool of workers and adds up the results.
//
// TODO: after the last job is sent, what is each worker still waiting for?
func (exercise) sum(nums []int, workers int) int {
	jobs := make(chan int)
	results := make(chan int)
	for range workers {
		go exercise{}.worker(jobs, results)
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

func (exercise) worker(jobs <-chan int, results chan<- int) {
	for n := range jobs {
		results <- n * n
	}
}

// first returns the query's answer, or gives up after timeout.
//
// TODO: when the timeout wins, who receives the query's answer?
func (exercise) first(query func() int, timeout time.Duration) (int, bool) {
	ch := make(chan int)
	go func() { ch <- query() }()
	select {
	case v := <-ch:
		return v, true
	case <-time.After(timeout):
		return 0, false
	}
}
