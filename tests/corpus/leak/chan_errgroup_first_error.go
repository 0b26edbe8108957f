// Pattern: hand-written errgroup (seen in Docker and etcd tooling before x/sync/errgroup):
// Wait returns the first error from an unbuffered channel; the other failing workers
// stay blocked on their send forever.
// expect: leak
// category: channel
// site: main.(*group).Go.func1 | chan send | proven

package main

import (
	"errors"
	"fmt"
)

type group struct {
	errc chan error
	n    int
}

func (g *group) Go(f func() error) {
	g.n++
	go func() {
		g.errc <- f() // BUG: unbuffered, and Wait may stop reading
	}()
}

func (g *group) Wait() error {
	for i := 0; i < g.n; i++ {
		if err := <-g.errc; err != nil {
			return err // early return: remaining senders leak
		}
	}
	return nil
}

func main() {
	g := &group{errc: make(chan error)}
	for i := 0; i < 5; i++ {
		g.Go(func() error { return errors.New("shard unavailable") })
	}
	fmt.Println("first error:", g.Wait())
}
