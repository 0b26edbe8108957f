// Pattern: Kubernetes resource quota controller (GoKer kubernetes#58107): workers take
// workerLock.RLock() before pulling from a queue and park in cond.Wait() while holding
// it; the periodic resync's Lock() then waits for them, and every later RLock() queues
// behind the pending writer.
// expect: leak
// category: cond, mutex
// site: main.(*controller).worker | sync.Cond.Wait | proven
// site: main.(*controller).resync | sync.RWMutex.Lock | proven
// site: main.(*controller).worker | sync.RWMutex.RLock | proven

package main

import (
	"fmt"
	"sync"
	"time"
)

type queue struct {
	cond  *sync.Cond
	items []string
}

func (q *queue) Get() string {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	for len(q.items) == 0 {
		q.cond.Wait()
	}
	it := q.items[0]
	q.items = q.items[1:]
	return it
}

type controller struct{ workerLock sync.RWMutex }

func (c *controller) worker(q *queue) {
	c.workerLock.RLock() // BUG: held while waiting for work
	defer c.workerLock.RUnlock()
	fmt.Println("synced", q.Get())
}

func (c *controller) resync() {
	c.workerLock.Lock()
	defer c.workerLock.Unlock()
}

func main() {
	c := &controller{}
	empty := &queue{cond: sync.NewCond(&sync.Mutex{})}
	busy := &queue{cond: sync.NewCond(&sync.Mutex{}), items: []string{"quota-a"}}
	go c.worker(empty)
	time.Sleep(20 * time.Millisecond)
	go c.resync()
	time.Sleep(20 * time.Millisecond)
	go c.worker(busy)
	time.Sleep(10 * time.Millisecond)
}
