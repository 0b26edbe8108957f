// Command unbounded receives more requests than its backend can answer, in a
// leaky, a fixed or an exercise variant, for a while. Three cases: each
// request served in the background, requests handed to a pool of workers
// through a queue, and responses built in pooled buffers.
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// variant is what leaky.go, fixed.go and exercise.go each implement.
type variant interface {
	// spawn serves r in the background and returns at once.
	spawn(r request)
	// enqueue hands r to the service's workers.
	enqueue(r request)
	// render builds r's response and returns its length.
	render(r request) int
	// stop ends the service's workers once the requests handed to them are served.
	stop()
}

var variants = map[string]func(backends) variant{
	"leaky":    func(b backends) variant { return newLeaky(b) },
	"fixed":    func(b backends) variant { return newFixed(b) },
	"exercise": func(b backends) variant { return newExercise(b) },
}

// request is one call: when it arrived and what it carries.
type request struct {
	id      uint64
	arrived time.Time
	payload []byte
	size    int // bytes of the response it asks for
}

// backend is a slow dependency, such as a database, that answers at most
// cap(slots) calls at a time, each taking latency.
type backend struct {
	slots   chan struct{}
	latency time.Duration
	mu      sync.Mutex
	waits   []time.Duration // from each request's arrival to its answer
}

func newBackend(slots int, latency time.Duration) *backend {
	return &backend{slots: make(chan struct{}, slots), latency: latency}
}

// call does r's work on the backend.
func (b *backend) call(r request) {
	b.slots <- struct{}{}
	time.Sleep(b.latency)
	<-b.slots
	b.mu.Lock()
	b.waits = append(b.waits, time.Since(r.arrived))
	b.mu.Unlock()
}

// summary says how many requests the backend answered and how long they waited.
func (b *backend) summary() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.waits) == 0 {
		return "served 0"
	}
	w := append([]time.Duration(nil), b.waits...)
	sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
	return fmt.Sprintf("served %d, wait median %.1f ms, p99 %.1f ms, last %.1f ms", len(w),
		ms(w[len(w)/2]), ms(w[len(w)*99/100]), ms(b.waits[len(b.waits)-1]))
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// backends are the dependencies of the three cases.
type backends struct{ spawn, queue, pool *backend }

var lastID atomic.Uint64

// arrivals calls submit for rate requests per second until duration is over
// and returns how many it submitted. A submit that blocks delays the next ones.
func arrivals(rate, payload int, duration time.Duration, submit func(request)) int {
	start, n := time.Now(), 0
	for time.Since(start) < duration {
		id := lastID.Add(1)
		size := 2 << 10
		if id%100 == 0 {
			size = 1 << 20 // an export: one request in 100 asks for a large response
		}
		submit(request{id: id, arrived: time.Now(), payload: make([]byte, payload), size: size})
		n++
		if next := start.Add(time.Duration(n) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	return n
}

// handlers runs render for the pool case on a fixed set of handler goroutines,
// as an HTTP server's connections would; the returned function submits one request.
func handlers(v variant, n int) (submit func(request), wait func()) {
	reqs := make(chan request)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for r := range reqs {
				v.render(r)
			}
		})
	}
	return func(r request) { reqs <- r }, func() { close(reqs); wg.Wait() }
}

// service is the running service: it lives as long as the program.
var service variant

func main() {
	name := flag.String("variant", "leaky", "leaky, fixed or exercise")
	which := flag.String("case", "all", "spawn, queue, pool or all")
	duration := flag.Duration("duration", 2*time.Second, "how long requests arrive")
	rate := flag.Int("rate", 1000, "requests per second, per case")
	payload := flag.Int("payload", 8<<10, "bytes each request carries")
	flag.Parse()
	mk, ok := variants[*name]
	cases := map[string]bool{"spawn": true, "queue": true, "pool": true}
	if *which != "all" {
		cases = map[string]bool{*which: true}
	}
	if !ok || *rate <= 0 || (*which != "all" && !map[string]bool{"spawn": true, "queue": true, "pool": true}[*which]) {
		fmt.Fprintln(os.Stderr, "usage: unbounded -variant leaky|fixed|exercise -case spawn|queue|pool|all -rate N -duration D")
		os.Exit(2)
	}
	// Each backend answers 4 calls at a time in 10 ms: 400 per second, for
	// 1,000 arriving. The pool case's backend keeps up.
	b := backends{spawn: newBackend(4, 10*time.Millisecond), queue: newBackend(4, 10*time.Millisecond),
		pool: newBackend(64, 50*time.Millisecond)}
	service = mk(b)
	submitted := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for c := range cases {
		wg.Go(func() {
			var n int
			switch c {
			case "spawn":
				n = arrivals(*rate, *payload, *duration, service.spawn)
			case "queue":
				n = arrivals(*rate, *payload, *duration, service.enqueue)
			case "pool":
				submit, wait := handlers(service, 64)
				n = arrivals(*rate, *payload, *duration, submit)
				wait()
			}
			mu.Lock()
			submitted[c] = n
			mu.Unlock()
		})
	}
	wg.Wait()
	service.stop()
	for _, c := range []string{"spawn", "queue", "pool"} {
		if cases[c] {
			fmt.Printf("%s %s: submitted %d, %s\n", *name, c, submitted[c], map[string]*backend{"spawn": b.spawn, "queue": b.queue, "pool": b.pool}[c].summary())
		}
	}
}
