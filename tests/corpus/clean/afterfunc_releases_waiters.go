// Looks like: goroutines blocked on a channel that no goroutine holds (only a pending
// time.AfterFunc callback does): it fires and closes the channel before main returns.
// expect: clean
// category: timer, channel

package main

import (
	"fmt"
	"sync"
	"time"
)

func main() {
	var wg sync.WaitGroup
	for round := 0; round < 3; round++ {
		gate := make(chan struct{})
		for i := 0; i < 5; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
			}()
		}
		time.AfterFunc(40*time.Millisecond, func() { close(gate) })
	}
	wg.Wait()
	fmt.Println("all gates opened")
}
