// Pattern: a fan-out with golang.org/x/sync/errgroup where the caller takes the first answer
// and returns (a "hedged" lookup across replicas). The other workers send their answer on an
// unbuffered channel without watching the group's context, and g.Wait() is never called:
// every request leaves two goroutines blocked on the send, inside errgroup's own goroutine.
// expect: leak
// category: library, channel
// site: golang.org/x/sync/errgroup.(*Group).Go.func1 | chan send | any
// evidence: lib_errgroup_results_not_drained.evidence.md

package main

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
)

func lookup(ctx context.Context, key int) int {
	g, ctx := errgroup.WithContext(ctx)
	answers := make(chan int)
	for replica := 1; replica <= 3; replica++ {
		g.Go(func() error {
			time.Sleep(time.Duration(replica) * time.Millisecond)
			answers <- key * replica // BUG: no select on ctx.Done(); only the first is read
			return nil
		})
	}
	return <-answers // BUG: returns without g.Wait()
}

func main() {
	sum := 0
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); {
		sum += lookup(context.Background(), 7)
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Println("answers:", sum)
}
