// Pattern: package-level event bus (common in Syncthing/Istio-style daemons): the
// dispatcher goroutines range over a global channel that nothing ever closes. The
// channel stays reachable from a global, so the runtime cannot prove the leak; it can
// only be seen as goroutines still blocked after main returned.
// expect: leak
// category: channel
// site: main.dispatch | chan receive | suspect

package main

import (
	"fmt"
	"sync"
)

var events = make(chan string)
var handled sync.WaitGroup

func dispatch(id int) {
	for ev := range events {
		fmt.Println("dispatcher", id, "got", ev)
		handled.Done()
	}
}

func main() {
	for i := 0; i < 3; i++ {
		go dispatch(i)
	}
	for _, ev := range []string{"folder-scan", "device-connected"} {
		handled.Add(1)
		events <- ev
	}
	handled.Wait()
	// BUG: close(events) never happens
}
