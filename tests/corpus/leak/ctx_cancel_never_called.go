// Pattern: CockroachDB sql Tx awaitDone (GoKer cockroach#13197): begin() derives a
// cancellable context and starts a goroutine waiting on ctx.Done(), but the commit
// path never calls cancel (go vet's lostcancel).
// expect: leak
// category: context, main-returns-immediately
// site: main.(*Tx).awaitDone | chan receive | proven

package main

import (
	"context"
	"fmt"
)

type Tx struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func (tx *Tx) awaitDone() {
	<-tx.ctx.Done()
	fmt.Println("rolling back", tx.ctx.Err())
}

func begin(ctx context.Context) *Tx {
	tx := &Tx{}
	tx.ctx, tx.cancel = context.WithCancel(ctx)
	go tx.awaitDone()
	return tx
}

func (tx *Tx) Commit() error { return nil } // BUG: should call tx.cancel()

func main() {
	for i := 0; i < 3; i++ {
		tx := begin(context.Background())
		fmt.Println("commit", tx.Commit())
	}
}
