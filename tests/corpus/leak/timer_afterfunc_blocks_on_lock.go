// Pattern: idle-timeout callbacks registered with time.AfterFunc (net/http-style
// connection reapers) that take the connection lock, while an error path left that lock
// held: every fired timer leaves a goroutine blocked in Lock.
// expect: leak
// category: timer, mutex
// site: main.(*conn).armIdleTimer.func1 | sync.Mutex.Lock | proven

package main

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

type conn struct {
	mu     sync.Mutex
	closed bool
}

func (c *conn) armIdleTimer(d time.Duration) {
	time.AfterFunc(d, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.closed = true
	})
}

func (c *conn) write(p []byte) error {
	c.mu.Lock()
	if len(p) == 0 {
		return errors.New("empty write") // BUG: c.mu stays locked
	}
	c.mu.Unlock()
	return nil
}

func main() {
	for i := 0; i < 3; i++ {
		c := &conn{}
		c.armIdleTimer(5 * time.Millisecond)
		fmt.Println(c.write(nil))
	}
	time.Sleep(30 * time.Millisecond)
}
