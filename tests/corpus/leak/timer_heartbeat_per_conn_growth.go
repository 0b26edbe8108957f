// Pattern: one heartbeat goroutine per accepted connection (Istio/xDS or etcd lease
// keepalive style) driven by a ticker, stopped only by a done channel that the
// connection's close path never closes. A long-running server accumulates them; they
// are reachable through their tickers, so only the growth proves the leak.
// expect: leak
// category: timer
// duration: 1.5
// site: main.heartbeat | select | suspect

package main

import "time"

type conn struct {
	done  chan struct{}
	beats int
}

func heartbeat(c *conn) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			c.beats++
		case <-c.done:
			return
		}
	}
}

func serve(id int) {
	c := &conn{done: make(chan struct{})}
	go heartbeat(c)
	time.Sleep(time.Millisecond) // handle the request
	// BUG: close(c.done) missing on the close path
}

func main() {
	for id := 0; ; id++ {
		serve(id)
		time.Sleep(2 * time.Millisecond)
	}
}
