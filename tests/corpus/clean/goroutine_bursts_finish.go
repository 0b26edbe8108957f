// Looks like: thousands of goroutines at a time (a fan-out per tick), but every burst
// completes and is joined before the next: goroutine count spikes, never trends up.
// expect: clean
// category: channel, waitgroup
// duration: 2

package main

import (
	"sync"
	"time"
)

func burst(n int) {
	var wg sync.WaitGroup
	results := make(chan int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(5 * time.Millisecond)
			results <- i
		}()
	}
	wg.Wait()
	close(results)
	for range results {
	}
}

func main() {
	for {
		burst(2000)
		time.Sleep(40 * time.Millisecond)
	}
}
