// Pattern: background flusher (Prometheus remote-write / Syncthing-style) driven by a
// time.Ticker with a stop channel that Close() forgets to close. The ticker keeps its
// channel, and so the goroutine, reachable: not provable, but still blocked after main
// returned.
// expect: leak
// category: timer, main-returns-immediately
// site: main.(*flusher).loop | select | suspect

package main

import (
	"fmt"
	"time"
)

type flusher struct {
	stop    chan struct{}
	flushes int
}

func (f *flusher) loop() {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			f.flushes++
		case <-f.stop:
			return
		}
	}
}

func (f *flusher) Close() error { return nil } // BUG: should close(f.stop)

func main() {
	for i := 0; i < 2; i++ {
		f := &flusher{stop: make(chan struct{})}
		go f.loop()
		fmt.Println("close:", f.Close())
	}
}
