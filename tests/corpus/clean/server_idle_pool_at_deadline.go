// Looks like: a long-running server stopped at the harness deadline with a pool of
// workers blocked on their jobs channel (and a ticker loop in select). Nothing grows
// and every worker is still being fed: being idle at the deadline is not a leak.
// expect: clean
// category: channel, timer
// duration: 1.5

package main

import (
	"fmt"
	"time"
)

func worker(jobs <-chan int, results chan<- int) {
	for j := range jobs {
		results <- j * 2
	}
}

func main() {
	jobs := make(chan int)
	results := make(chan int, 64)
	for i := 0; i < 8; i++ {
		go worker(jobs, results)
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	total := 0
	for n := 0; ; n++ {
		<-tick.C
		jobs <- n
		total += <-results
		if n%25 == 0 {
			fmt.Println("served", n, "jobs")
		}
	}
}
