// Looks like: a goroutine of os/signal stays alive after main returns (os/signal.loop,
// blocked in the runtime's signal queue), the shape of a stdlib leak. It is the
// runtime's signal forwarder, idle by design: graceful-shutdown wiring done right.
// expect: clean
// category: channel

package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGUSR1)
	defer signal.Stop(hup)
	select {
	case <-ctx.Done():
		fmt.Println("terminated")
	case <-hup:
		fmt.Println("reload")
	case <-time.After(50 * time.Millisecond):
		fmt.Println("work finished, shutting down")
	}
}
