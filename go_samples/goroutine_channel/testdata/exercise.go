package main

import (
	"sync"
	"time"
)

// exercise does the same work as leaky with another shape: sum is a
// pipeline (a generator, a pool of squarers, a merge) and first asks two
// replicas and takes the first answer.
//
// TODO: run the check cell in labs/01_goroutine_channel.ipynb before you
// change anything. For each leak site it reports, note how many goroutines
// are stuck, on which line, and what they wait for; then ask what would
// have to happen for that wait to end.
type exercise struct{}

// sum squares nums in a pipeline and adds up the squares.
func (exercise) sum(nums []int, workers int) int {
	squares := exercise{}.square(exercise{}.generate(nums), workers)
	total := 0
	for range nums {
		total += <-squares
	}
	return total
}

// generate sends each of nums on the channel it returns.
func (exercise) generate(nums []int) <-chan int {
	out := make(chan int)
	go func() {
		for _, n := range nums {
			out <- n
		}
	}()
	return out
}

// square squares what arrives on in with a pool of workers and merges their
// output into one channel, closed once every worker is done.
func (exercise) square(in <-chan int, workers int) <-chan int {
	out := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range in {
				out <- n * n
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// first asks two replicas the same query and returns the first answer, or
// gives up after timeout.
func (exercise) first(query func() int, timeout time.Duration) (int, bool) {
	const replicas = 2
	answers := make(chan int, 1)
	for range replicas {
		go func() { answers <- query() }()
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case v := <-answers:
		return v, true
	case <-timer.C:
		return 0, false
	}
}
