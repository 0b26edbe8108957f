// Pattern: a blocking work queue (Kubernetes workqueue-like) whose ShutDown sets the
// flag but forgets cond.Broadcast(), so consumers parked in Get's cond.Wait never
// re-check it.
// expect: leak
// category: cond
// site: main.consume | sync.Cond.Wait | proven

package main

import (
	"fmt"
	"sync"
	"time"
)

type queue struct {
	cond     *sync.Cond
	items    []string
	shutdown bool
}

func (q *queue) Get() (it string, ok bool) {
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

func (q *queue) ShutDown() {
	q.cond.L.Lock()
	q.shutdown = true // BUG: no q.cond.Broadcast()
	q.cond.L.Unlock()
}

func consume(q *queue, id int) {
	for ok := true; ok; _, ok = q.Get() {
	}
}

func main() {
	q := &queue{cond: sync.NewCond(&sync.Mutex{})}
	for i := 0; i < 3; i++ {
		go consume(q, i)
	}
	time.Sleep(10 * time.Millisecond)
	q.ShutDown()
	fmt.Println("queue shut down")
}
