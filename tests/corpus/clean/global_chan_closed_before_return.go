// Looks like: dispatcher goroutines blocked on a package-level channel (the shape of
// leak/chan_global_event_bus). Here shutdown closes the channel and waits for them
// before main returns.
// expect: clean
// category: channel

package main

import (
	"fmt"
	"sync"
	"time"
)

var events = make(chan string)

func dispatch(id int, wg *sync.WaitGroup) {
	defer wg.Done()
	for ev := range events {
		fmt.Println("dispatcher", id, "got", ev)
	}
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go dispatch(i, &wg)
	}
	events <- "folder-scan"
	time.Sleep(50 * time.Millisecond) // idle: all dispatchers blocked on the global channel
	close(events)
	wg.Wait()
}
