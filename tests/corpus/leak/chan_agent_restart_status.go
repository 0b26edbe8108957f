// Pattern: Istio pilot-agent Restart (GoKer istio#17860): each restart spawns runWait,
// which reports on statusCh; after abort nothing drains statusCh any more.
// expect: leak
// category: channel
// site: main.(*agent).runWait | chan send | proven

package main

import (
	"fmt"
	"sync"
)

type agent struct {
	mu       sync.Mutex
	statusCh chan int
	epoch    int
}

func (a *agent) runWait(epoch int) {
	a.statusCh <- epoch // BUG: nobody reads after abort
}

func (a *agent) Restart() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.epoch++
	go a.runWait(a.epoch)
}

func (a *agent) Run(abort chan struct{}) {
	for {
		select {
		case e := <-a.statusCh:
			fmt.Println("epoch", e, "exited")
		case <-abort:
			return
		}
	}
}

func main() {
	a := &agent{statusCh: make(chan int)}
	abort := make(chan struct{})
	close(abort)
	a.Run(abort)
	a.Restart()
	a.Restart()
}
