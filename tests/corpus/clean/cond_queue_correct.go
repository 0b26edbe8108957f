// Looks like: consumers parked in sync.Cond.Wait (leak/cond_close_without_broadcast),
// but ShutDown broadcasts and the consumers are joined.
// expect: clean
// category: cond

package main

import (
	"fmt"
	"sync"
	"time"
)

type queue struct {
	cond     *sync.Cond
	items    []int
	shutdown bool
}

func (q *queue) Get() (it int, ok bool) {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	for len(q.items) == 0 && !q.shutdown {
		q.cond.Wait()
	}
	if len(q.items) > 0 {
		it, q.items, ok = q.items[0], q.items[1:], true
	}
	return it, ok
}

func (q *queue) update(f func()) {
	q.cond.L.Lock()
	f()
	q.cond.L.Unlock()
	q.cond.Broadcast()
}

func main() {
	q := &queue{cond: sync.NewCond(&sync.Mutex{})}
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ok := true; ok; _, ok = q.Get() {
			}
		}()
	}
	for v := 0; v < 10; v++ {
		q.update(func() { q.items = append(q.items, v) })
	}
	time.Sleep(30 * time.Millisecond) // consumers idle in Wait
	q.update(func() { q.shutdown = true })
	wg.Wait()
	fmt.Println("queue drained")
}
