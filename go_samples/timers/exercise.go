package main

import (
	"log"
	"time"
)

// exercise starts as a copy of leaky. Make it stop leaking, then run the
// check cell in labs/03_timers.ipynb.
type exercise struct{}

// watch pings s every period, in its own goroutine, until done is closed.
//
// TODO: when the client leaves, what ends this goroutine?
func (exercise) watch(s *session, period time.Duration, done <-chan struct{}) {
	go func() {
		t := time.NewTicker(period)
		for range t.C {
			s.ping()
		}
	}()
}

// handle processes r and logs it if that takes longer than limit.
//
// TODO: r is processed in microseconds; how long does the runtime keep r?
func (exercise) handle(r *request, limit time.Duration) int {
	time.AfterFunc(limit, func() {
		log.Printf("slow request %d (%d bytes)", r.id, len(r.body))
	})
	return r.process()
}

// consume adds up messages until in is closed or none comes for idle.
//
// TODO (Go 1.22 only): how long does each message's timer stay in memory?
func (exercise) consume(in <-chan int, idle time.Duration) int {
	n := 0
	for {
		select {
		case m, ok := <-in:
			if !ok {
				return n
			}
			n += m
		case <-time.After(idle):
			return n
		}
	}
}

// wait blocks until j is done, reporting progress every period.
//
// TODO (Go 1.22 only): after wait returns, who still holds t?
func (exercise) wait(j *job, period time.Duration) {
	t := time.NewTicker(period)
	for {
		select {
		case <-j.done:
			return
		case <-t.C:
			j.report()
		}
	}
}
