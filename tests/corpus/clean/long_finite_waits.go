// Looks like: goroutines parked on channels and timers for a long time (hundreds of
// ms, i.e. many probe samples); every wait ends, and is joined, before main returns.
// expect: clean
// category: timer, channel

package main

import (
	"fmt"
	"sync"
	"time"
)

func main() {
	release := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-release:
			case <-time.After(time.Duration(200+10*i) * time.Millisecond):
			}
		}()
	}
	time.AfterFunc(300*time.Millisecond, func() { close(release) })
	wg.Wait()
	fmt.Println("all waits ended")
}
