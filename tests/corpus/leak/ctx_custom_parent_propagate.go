// Pattern: a custom Context implementation (gRPC/Kubernetes wrappers that override
// Done) used as parent: context.WithCancel cannot hook into it, so the context package
// starts its own goroutine waiting on parent.Done() and child.Done(). The child is
// never cancelled and the parent never finishes, so that stdlib goroutine leaks.
// expect: leak
// category: context
// site: context.(*cancelCtx).propagateCancel.func2 | select | proven

package main

import (
	"context"
	"fmt"
)

type requestCtx struct {
	context.Context
	done chan struct{}
}

func (c *requestCtx) Done() <-chan struct{} { return c.done }

func handle(parent context.Context) string {
	ctx, cancel := context.WithCancel(parent)
	_ = cancel // BUG: never called
	return fmt.Sprint("handled with ", ctx.Err())
}

func main() {
	parent := &requestCtx{Context: context.Background(), done: make(chan struct{})}
	for i := 0; i < 3; i++ {
		fmt.Println(handle(parent))
	}
}
