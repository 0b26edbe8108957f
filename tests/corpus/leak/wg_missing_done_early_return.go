// Pattern: a worker that returns early on a validation error without wg.Done() (no
// defer); the "closer" goroutine that waits on the group and then closes the results
// channel waits forever. The consumer bounds its own wait, so only the closer leaks.
// expect: leak
// category: waitgroup
// site: main.collect.func2 | sync.WaitGroup.Wait | proven

package main

import (
	"fmt"
	"sync"
	"time"
)

func collect(inputs []int) []int {
	var wg sync.WaitGroup
	results := make(chan int, len(inputs))
	for _, in := range inputs {
		wg.Add(1)
		go func() {
			if in < 0 {
				return // BUG: no wg.Done() on this path
			}
			results <- in * in
			wg.Done()
		}()
	}
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()
	var out []int
	select {
	case <-finished:
	case <-time.After(50 * time.Millisecond):
		fmt.Println("collect: timed out waiting for workers")
	}
	for len(results) > 0 {
		out = append(out, <-results)
	}
	return out
}

func main() {
	fmt.Println(collect([]int{1, 2, -3, 4}))
}
