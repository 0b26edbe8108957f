// Pattern: a "ready" gate implemented with sync.Cond where the opener calls Signal()
// instead of Broadcast(): only one of the waiting components wakes up.
// expect: leak
// category: cond
// site: main.(*gate).Wait | sync.Cond.Wait | proven

package main

import (
	"fmt"
	"sync"
	"time"
)

type gate struct {
	mu   sync.Mutex
	cond *sync.Cond
	open bool
}

func (g *gate) Wait(name string) {
	g.mu.Lock()
	for !g.open {
		g.cond.Wait()
	}
	g.mu.Unlock()
	fmt.Println(name, "started")
}

func (g *gate) Open() {
	g.mu.Lock()
	g.open = true
	g.mu.Unlock()
	g.cond.Signal() // BUG: Broadcast needed, several components wait
}

func main() {
	g := &gate{}
	g.cond = sync.NewCond(&g.mu)
	for _, n := range []string{"api", "scheduler", "controller"} {
		go g.Wait(n)
	}
	time.Sleep(20 * time.Millisecond)
	g.Open()
	time.Sleep(20 * time.Millisecond)
}
