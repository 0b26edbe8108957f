// Command incident is a service the on-call was paged about: it serves
// requests that each keep a session in a cache and render a response in a
// scratch buffer. Its flags set the load, a change of load during the run,
// the size of the cache and how much of every response is kept.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

// session is the state one request keeps.
type session struct {
	id    int
	state []byte
}

// cache keeps the last len(ring) sessions: a bounded working set.
type cache struct {
	ring    []*session
	history [][]byte // the start of every response served, when keep > 0
	keep    int      // bytes of each response kept in history
}

func newCache(size, sessionBytes, keep int) *cache {
	c := &cache{ring: make([]*session, size), keep: keep}
	for i := range c.ring { // warm: the working set is there from the start
		c.ring[i] = &session{id: -i, state: make([]byte, sessionBytes)}
	}
	return c
}

// handle serves one request: its session goes into the cache, its response
// is rendered into a scratch buffer that is garbage right after (the first
// c.keep bytes of it are copied into the history).
func handle(c *cache, id, sessionBytes int) int {
	s := &session{id: id, state: make([]byte, sessionBytes)}
	c.ring[id%len(c.ring)] = s
	scratch := make([]byte, 128<<10)
	for i := range scratch {
		scratch[i] = byte(i + id)
	}
	if c.keep > 0 {
		c.history = append(c.history, append([]byte(nil), scratch[:c.keep]...))
	}
	return int(scratch[id%len(scratch)]) + len(s.state)
}

// serve handles rate requests per second, then rateAfter from the moment
// after has passed, until duration is over; it returns the requests served.
func serve(c *cache, sessionBytes, rate, rateAfter int, after, duration time.Duration) int {
	start, n := time.Now(), 0
	due := start
	for time.Since(start) < duration {
		handle(c, n, sessionBytes)
		n++
		r := rate
		if rateAfter > 0 && time.Since(start) >= after {
			r = rateAfter
		}
		due = due.Add(time.Second / time.Duration(r))
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
	}
	return n
}

func main() {
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 400, "requests per second")
	rateAfter := flag.Int("rate-after", 0, "requests per second once -after has passed (0: no change)")
	after := flag.Float64("after", 0.4, "when the rate changes, as a fraction of -duration")
	size := flag.Int("cache", 256, "sessions the cache keeps")
	sessionBytes := flag.Int("session", 16<<10, "bytes of state per session")
	keep := flag.Int("history", 0, "bytes of every response to keep in a history (0: none)")
	flag.Parse()
	if *rate <= 0 || *rateAfter < 0 || *size <= 0 || *sessionBytes < 0 || *after < 0 || *keep < 0 || *keep > 128<<10 {
		fmt.Fprintln(os.Stderr, "usage: incident -rate N [-rate-after N -after F] -cache N -session BYTES [-history BYTES] -duration D")
		os.Exit(2)
	}
	c := newCache(*size, *sessionBytes, *keep)
	at := time.Duration(*after * float64(*duration))
	n := serve(c, *sessionBytes, *rate, *rateAfter, at, *duration)
	fmt.Printf("served %d requests; cache %d sessions, history %d\n", n, len(c.ring), len(c.history))
}
