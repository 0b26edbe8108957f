// Pattern: Kubernetes controller workers `for key := range queue` where the queue
// channel is never closed on shutdown; the workers outlive the controller.
// expect: leak
// category: channel
// site: main.worker | chan receive | proven

package main

import (
	"fmt"
	"sync"
)

func worker(queue <-chan string, done *sync.WaitGroup, out chan<- string) {
	for key := range queue {
		out <- "synced " + key
		done.Done()
	}
}

func runController(keys []string) {
	queue := make(chan string)
	out := make(chan string, len(keys))
	var pending sync.WaitGroup
	for i := 0; i < 4; i++ {
		go worker(queue, &pending, out)
	}
	for _, k := range keys {
		pending.Add(1)
		queue <- k
	}
	pending.Wait()
	fmt.Println(len(out), "keys synced")
	// BUG: close(queue) missing
}

func main() {
	runController([]string{"ns/a", "ns/b", "ns/c", "ns/d", "ns/e"})
}
