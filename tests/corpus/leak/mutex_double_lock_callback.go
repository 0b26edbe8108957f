// Pattern: etcd lessor checkpoint (GoKer etcd#10492): Renew holds the lessor's RWMutex
// write lock and calls a checkpoint callback that takes the same lock again. The second
// Lock waits on the RWMutex's inner writer mutex, so the runtime reports it as
// sync.Mutex.Lock, not sync.RWMutex.Lock.
// expect: leak
// category: mutex
// site: main.(*lessor).Renew | sync.Mutex.Lock | proven

package main

import (
	"fmt"
	"sync"
	"time"
)

type lessor struct {
	mu           sync.RWMutex
	checkpointer func(id int)
	leases       map[int]time.Time
}

func (le *lessor) Checkpoint(id int) {
	le.mu.Lock() // second Lock by the same goroutine
	defer le.mu.Unlock()
	fmt.Println("checkpoint", id)
}

func (le *lessor) Renew(id int) {
	le.mu.Lock()
	defer le.mu.Unlock()
	le.leases[id] = time.Now()
	if le.checkpointer != nil {
		le.checkpointer(id) // BUG: called with le.mu held
	}
}

func main() {
	le := &lessor{leases: map[int]time.Time{}}
	le.checkpointer = le.Checkpoint
	go le.Renew(7)
	time.Sleep(20 * time.Millisecond)
	if !le.mu.TryRLock() {
		fmt.Println("renew is stuck holding the lease lock")
	}
}
