// Pattern: lost wakeup: the waiter checks its condition without holding the lock and
// only then locks and Waits; a Signal that lands in between is lost for good. Whether
// it happens depends on scheduling; each of many independent pairs is a chance.
// expect: leak
// category: cond
// repeat: 5
// min-detect: 0.6
// site: main.waiter | sync.Cond.Wait | proven

package main

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

type flag struct {
	cond  *sync.Cond
	ready atomic.Bool
}

func waiter(f *flag, prepare time.Duration) {
	if !f.ready.Load() { // BUG: checked outside the lock
		time.Sleep(prepare) // e.g. registers itself somewhere: the window
		f.cond.L.Lock()
		f.cond.Wait()
		f.cond.L.Unlock()
	}
}

func signaller(f *flag, work time.Duration) {
	time.Sleep(work)
	f.ready.Store(true)
	f.cond.L.Lock()
	f.cond.Signal()
	f.cond.L.Unlock()
}

func main() {
	for i := 0; i < 200; i++ {
		f := &flag{cond: sync.NewCond(&sync.Mutex{})}
		go waiter(f, time.Duration(rand.IntN(300))*time.Microsecond)
		go signaller(f, time.Duration(rand.IntN(300))*time.Microsecond)
	}
	time.Sleep(30 * time.Millisecond)
	fmt.Println("signalled all")
}
