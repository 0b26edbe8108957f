// Looks like: per-transaction goroutines waiting on ctx.Done(), some derived from a
// global server context (leak/ctx_*), but every derived context is cancelled (defer
// cancel / WithTimeout) and the watchers are joined.
// expect: clean
// category: context

package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

var serverCtx, stopServer = context.WithCancel(context.Background())

func txn(id int, wg *sync.WaitGroup) {
	ctx, cancel := context.WithTimeout(serverCtx, time.Second)
	defer cancel()
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-ctx.Done()
	}()
	time.Sleep(time.Millisecond) // the transaction's work
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		txn(i, &wg)
	}
	wg.Wait()
	stopServer()
	fmt.Println("server context:", serverCtx.Err())
}
