// Look-alike: the same first-answer fan-out with golang.org/x/sync/errgroup, but each worker
// selects on the group's context and the caller cancels it and waits for the group before it
// returns: every goroutine of a request ends with the request.
// expect: clean
// category: library, channel
// evidence: lib_errgroup_ctx_aware.evidence.md

package main

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
)

func lookup(parent context.Context, key int) int {
	ctx, cancel := context.WithCancel(parent)
	g, ctx := errgroup.WithContext(ctx)
	answers := make(chan int)
	for replica := 1; replica <= 3; replica++ {
		g.Go(func() error {
			time.Sleep(time.Duration(replica) * time.Millisecond)
			select {
			case answers <- key * replica:
			case <-ctx.Done():
			}
			return nil
		})
	}
	first := <-answers
	cancel()
	g.Wait()
	return first
}

func main() {
	sum := 0
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); {
		sum += lookup(context.Background(), 7)
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Println("answers:", sum)
}
