// Looks like: ticker-driven background loops (leak/timer_ticker_loop_never_stopped),
// but Close() closes the stop channel, stops the ticker and waits for the loop.
// expect: clean
// category: timer

package main

import (
	"fmt"
	"sync"
	"time"
)

type flusher struct {
	stop    chan struct{}
	done    sync.WaitGroup
	flushes int
}

func (f *flusher) loop() {
	defer f.done.Done()
	t := time.NewTicker(5 * time.Millisecond)
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

func (f *flusher) Close() { close(f.stop); f.done.Wait() }

func main() {
	for i := 0; i < 3; i++ {
		f := &flusher{stop: make(chan struct{})}
		f.done.Add(1)
		go f.loop()
		time.Sleep(30 * time.Millisecond)
		f.Close()
		fmt.Println("flushes:", f.flushes > 0)
	}
}
