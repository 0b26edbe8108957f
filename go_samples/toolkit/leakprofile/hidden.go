package main

import (
	"os"
	"runtime"
	"sync/atomic"
	"time"
)

// The profile only judges goroutines blocked on channels, select and sync
// primitives. Each goroutine below never returns, and none is flagged.

// sleep: a timer always wakes a sleeper.
func sleep(int) {
	go time.Sleep(time.Hour)
}

// writers keeps the write ends open, so the reads below wait forever.
var writers []*os.File

// blockedIO: waiting for data that never comes is an I/O wait, and the
// runtime cannot know whether another process will write.
func blockedIO(int) {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	writers = append(writers, w)
	go func() {
		buf := make([]byte, 1)
		r.Read(buf)
	}()
}

// ready is never set: the loop below spins until the program ends.
var ready atomic.Bool

// busy: a running goroutine is not blocked at all.
func busy(int) {
	go func() {
		for !ready.Load() {
			runtime.Gosched()
		}
	}()
}

// ticker: never stopped, so the runtime's timers keep its channel
// reachable: the goroutine wakes every tick, forever.
func ticker(int) {
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		for range t.C {
		}
	}()
}
