// Pattern: Prometheus-style notifier loop selecting on its queue and a "more" signal
// channel but with no done/stop case: when the manager is dropped the loop never ends.
// expect: leak
// category: channel
// site: main.(*notifier).run | select | proven

package main

import "fmt"

type notifier struct {
	queue chan string
	more  chan struct{}
	sent  chan int
}

func (n *notifier) run() {
	count := 0
	for {
		select { // BUG: no case <-ctx.Done()
		case a := <-n.queue:
			count++
			_ = a
			n.sent <- count
		case <-n.more:
		}
	}
}

func main() {
	for i := 0; i < 2; i++ {
		n := &notifier{queue: make(chan string), more: make(chan struct{}), sent: make(chan int)}
		go n.run()
		n.queue <- "alert"
		fmt.Println("sent", <-n.sent)
	}
}
