package main

import (
	"log"
	"time"
)

// leaky uses timers and tickers four common ways: a heartbeat, a slow-request
// alarm, an idle timeout and progress reports.
type leaky struct{}

// watch pings s every period, in its own goroutine, until done is closed.
func (leaky) watch(s *session, period time.Duration, done <-chan struct{}) {
	go func() {
		t := time.NewTicker(period)
		for range t.C {
			s.ping()
		}
	}()
}

// handle processes r and logs it if that takes longer than limit.
func (leaky) handle(r *request, limit time.Duration) int {
	time.AfterFunc(limit, func() {
		log.Printf("slow request %d (%d bytes)", r.id, len(r.body))
	})
	return r.process()
}

// consume adds up messages until in is closed or none comes for idle.
func (leaky) consume(in <-chan int, idle time.Duration) int {
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
func (leaky) wait(j *job, period time.Duration) {
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
