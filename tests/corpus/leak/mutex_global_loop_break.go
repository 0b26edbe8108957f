// Pattern: CockroachDB gossip manage loop (GoKer cockroach#584): Lock is taken at the
// top of a loop (so no defer) and a `break` skips the Unlock. The mutex is a
// package-level variable, so the runtime cannot prove the waiters leaked; they are
// only visible as still blocked when main returns.
// expect: leak
// category: mutex
// site: main.(*gossip).bootstrap | sync.Mutex.Lock | suspect

package main

import (
	"fmt"
	"sync"
	"time"
)

var gossipMu sync.Mutex

type gossip struct{ stopped bool }

func (g *gossip) manage() {
	for {
		gossipMu.Lock()
		if g.stopped {
			break // BUG: leaves gossipMu locked
		}
		gossipMu.Unlock()
		time.Sleep(time.Millisecond)
	}
}

func (g *gossip) bootstrap() {
	gossipMu.Lock()
	defer gossipMu.Unlock()
	fmt.Println("bootstrapping")
}

func main() {
	g := &gossip{stopped: true}
	g.manage()
	for i := 0; i < 2; i++ {
		go g.bootstrap()
	}
	time.Sleep(10 * time.Millisecond)
}
