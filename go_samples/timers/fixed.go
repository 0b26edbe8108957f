package main

import (
	"log"
	"time"
)

// fixed uses timers and tickers four common ways: a heartbeat, a slow-request
// alarm, an idle timeout and progress reports.
type fixed struct{}

// watch pings s every period, in its own goroutine, until done is closed.
func (fixed) watch(s *session, period time.Duration, done <-chan struct{}) {
	go func() {
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.ping()
			case <-done: // the client left: so does this goroutine
				return
			}
		}
	}()
}

// handle processes r and logs it if that takes longer than limit.
func (fixed) handle(r *request, limit time.Duration) int {
	id, size := r.id, len(r.body) // the log line needs these, not the body
	t := time.AfterFunc(limit, func() {
		log.Printf("slow request %d (%d bytes)", id, size)
	})
	defer t.Stop() // done in time: cancel the alarm, so the runtime lets go of its func
	return r.process()
}

// consume adds up messages until in is closed or none comes for idle.
func (fixed) consume(in <-chan int, idle time.Duration) int {
	n := 0
	for {
		t := time.NewTimer(idle)
		select {
		case m, ok := <-in:
			t.Stop() // before Go 1.23 an unstopped timer stayed in memory until it fired
			if !ok {
				return n
			}
			n += m
		case <-t.C:
			return n
		}
	}
}

// wait blocks until j is done, reporting progress every period.
func (fixed) wait(j *job, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop() // before Go 1.23 an unstopped ticker stayed in memory, ticking, for ever
	for {
		select {
		case <-j.done:
			return
		case <-t.C:
			j.report()
		}
	}
}
