// Pattern: retry with backoff in a goroutine (etcd client / gRPC balancer style): it
// waits on time.After, then reports on an unbuffered channel, but the caller gave up on
// its own earlier deadline and nobody receives any more.
// expect: leak
// category: timer
// site: main.dialWithRetry.func1 | chan send | proven

package main

import (
	"errors"
	"fmt"
	"time"
)

func dialWithRetry(addr string, deadline time.Duration) error {
	result := make(chan error)
	go func() {
		for attempt := 1; ; attempt++ {
			<-time.After(time.Duration(attempt) * 5 * time.Millisecond) // backoff
			if attempt == 3 {
				result <- errors.New("connection refused") // BUG: caller may be gone
				return
			}
		}
	}()
	select {
	case err := <-result:
		return err
	case <-time.After(deadline):
		return errors.New("dial " + addr + ": deadline exceeded")
	}
}

func main() {
	fmt.Println(dialWithRetry("10.0.0.1:2379", 8*time.Millisecond))
	fmt.Println(dialWithRetry("10.0.0.2:2379", 8*time.Millisecond))
	time.Sleep(50 * time.Millisecond)
}
