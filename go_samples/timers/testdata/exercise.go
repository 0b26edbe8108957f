package main

import (
	"log"
	"time"
)

// exercise does what leaky does with other timer APIs: a heartbeat on a
// timer reset after each ping, a slow-request alarm armed with a method
// value, one idle timer reset per message, and progress reports on a
// time.Tick channel.
//
// TODO: run the check cell in labs/03_timers.ipynb before you change
// anything; it runs on the lab's Go 1.27. It gives two kinds of evidence:
// the goroutines left at the end (where they wait, and whether their count
// follows the clients) and the live heap (what is still reachable after
// every request has finished). For each, find what keeps it alive.
type exercise struct{}

// watch pings s every period, in its own goroutine, until done is closed.
func (exercise) watch(s *session, period time.Duration, done <-chan struct{}) {
	go func() {
		next := time.NewTimer(period)
		for {
			<-next.C
			s.ping()
			next.Reset(period)
		}
	}()
}

// exerciseAlarm is the slow-request log line of one request.
type exerciseAlarm struct{ r *request }

// fire logs the request as slow.
func (a exerciseAlarm) fire() {
	log.Printf("slow request %d (%d bytes)", a.r.id, len(a.r.body))
}

// handle processes r and logs it if that takes longer than limit.
func (exercise) handle(r *request, limit time.Duration) int {
	time.AfterFunc(limit, exerciseAlarm{r}.fire)
	return r.process()
}

// consume adds up messages until in is closed or none comes for idle.
func (exercise) consume(in <-chan int, idle time.Duration) int {
	quiet := time.NewTimer(idle)
	defer quiet.Stop()
	n := 0
	for {
		select {
		case m, ok := <-in:
			if !ok {
				return n
			}
			n += m
			quiet.Reset(idle)
		case <-quiet.C:
			return n
		}
	}
}

// wait blocks until j is done, reporting progress every period.
func (exercise) wait(j *job, period time.Duration) {
	progress := time.Tick(period)
	for {
		select {
		case <-j.done:
			return
		case <-progress:
			j.report()
		}
	}
}
