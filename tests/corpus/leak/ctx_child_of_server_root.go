// Pattern: per-stream contexts derived from a server-lifetime root context (gRPC/Istio
// style) and never cancelled: the stream watchdog waits on ctx.Done() forever. The root
// context lives in a global and keeps every child in its children set, so the runtime
// cannot prove the leak; only "still blocked after main returned" shows it.
// expect: leak
// category: context
// site: main.watchdog | select | suspect

package main

import (
	"context"
	"fmt"
	"time"
)

var serverCtx, stopServer = context.WithCancel(context.Background())

func watchdog(ctx context.Context, id int, beat <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-beat:
		}
	}
}

func openStream(id int) {
	ctx, cancel := context.WithCancel(serverCtx)
	_ = cancel // BUG: the stream's close path never calls it
	go watchdog(ctx, id, make(chan struct{}))
}

func main() {
	for i := 0; i < 4; i++ {
		openStream(i)
	}
	time.Sleep(10 * time.Millisecond)
	fmt.Println("streams handled; server keeps running:", serverCtx.Err() == nil)
	_ = stopServer
}
