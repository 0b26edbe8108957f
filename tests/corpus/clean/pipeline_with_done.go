// Looks like: leak/chan_pipeline_abandoned (the consumer stops after the first
// result), but it closes a done channel that every stage selects on, and waits for the
// stages to exit.
// expect: clean
// category: channel, waitgroup

package main

import (
	"fmt"
	"sync"
)

func stage(done <-chan struct{}, in <-chan int, wg *sync.WaitGroup, f func(int) int) <-chan int {
	out := make(chan int)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(out)
		for v := range in {
			select {
			case out <- f(v):
			case <-done:
				return
			}
		}
	}()
	return out
}

func main() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	src := make(chan int)
	go func() {
		defer close(src)
		for i := 0; i < 100; i++ {
			select {
			case src <- i:
			case <-done:
				return
			}
		}
	}()
	sq := stage(done, stage(done, src, &wg, func(v int) int { return v + 1 }), &wg, func(v int) int { return v * v })
	fmt.Println("first:", <-sq)
	close(done)
	wg.Wait()
}
