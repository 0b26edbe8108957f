// Pattern: Syncthing connection Close (GoKer syncthing#5795): close() waits for the
// dispatcher loop to report it stopped, but the loop is itself blocked handing a
// message to an inbox that nobody reads any more.
// expect: leak
// category: channel
// site: main.(*conn).dispatcherLoop | chan send | proven
// site: main.(*conn).Close | chan receive | proven

package main

import "fmt"

type conn struct {
	inbox   chan string
	msgs    chan string
	stopped chan struct{}
}

func (c *conn) dispatcherLoop() {
	defer close(c.stopped)
	for m := range c.msgs {
		c.inbox <- m // BUG: no select on closing
	}
}

func (c *conn) Close() {
	close(c.msgs)
	<-c.stopped
	fmt.Println("closed")
}

func main() {
	c := &conn{inbox: make(chan string), msgs: make(chan string, 4), stopped: make(chan struct{})}
	go c.dispatcherLoop()
	c.msgs <- "index"
	c.msgs <- "request"
	go c.Close() // closed from a connection-manager goroutine
}
