// Pattern: Kubernetes kubelet status manager (GoKer kubernetes#10182) / Istio
// (istio#16224): SetPodStatus sends on a channel while holding the lock that the
// channel's only reader must take before it reads again.
// expect: leak
// category: mutex, channel
// site: main.(*statusManager).SetPodStatus | chan send | proven
// site: main.(*statusManager).syncBatch | sync.Mutex.Lock | proven

package main

import (
	"fmt"
	"sync"
	"time"
)

type statusManager struct {
	mu       sync.Mutex
	statuses map[string]string
	ch       chan bool
}

func (s *statusManager) SetPodStatus(pod, st string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statuses[pod] = st
	s.ch <- true // BUG: blocks with s.mu held
}

func (s *statusManager) syncBatch() {
	for range s.ch {
		time.Sleep(20 * time.Millisecond) // batch window
		s.mu.Lock()                       // waits for SetPodStatus, which waits for us
		fmt.Println(len(s.statuses), "statuses")
		s.mu.Unlock()
	}
}

func main() {
	s := &statusManager{statuses: map[string]string{}, ch: make(chan bool)}
	go s.syncBatch()
	go s.SetPodStatus("a", "Running") // delivered, then syncBatch waits out its window
	time.Sleep(2 * time.Millisecond)
	go s.SetPodStatus("b", "Running") // locks, then blocks on the send
	time.Sleep(40 * time.Millisecond)
}
