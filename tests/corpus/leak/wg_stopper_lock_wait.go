// Pattern: CockroachDB Stopper (GoKer cockroach#1055): Stop() takes the stopper lock
// and waits for running tasks; StartTask() needs the same lock; the running task
// waits for a signal that only the blocked StartTask path would send.
// expect: leak
// category: waitgroup, mutex
// site: main.(*stopper).Stop | sync.WaitGroup.Wait | proven
// site: main.(*stopper).StartTask | sync.Mutex.Lock | proven
// site: main.main.func1 | chan receive | proven

package main

import (
	"fmt"
	"sync"
	"time"
)

type stopper struct {
	mu    sync.Mutex
	tasks sync.WaitGroup
	kick  chan struct{}
}

func (s *stopper) StartTask(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tasks.Add(1)
	go func() { defer s.tasks.Done(); f() }()
}

func (s *stopper) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tasks.Wait() // BUG: waits with the lock held
	fmt.Println("stopped")
}

func main() {
	s := &stopper{kick: make(chan struct{})}
	s.tasks.Add(1)
	go func() {
		defer s.tasks.Done()
		<-s.kick // waits for the next task to kick it
	}()
	time.Sleep(20 * time.Millisecond)
	go s.Stop()
	time.Sleep(20 * time.Millisecond)
	go s.StartTask(func() { close(s.kick) })
	time.Sleep(20 * time.Millisecond)
}
