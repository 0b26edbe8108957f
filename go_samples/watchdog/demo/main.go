// Command demo is a small service watched by the watchdog. Each request
// asks a slow backend for a 4 kB answer and gives up after 1 ms.
//
//   - leaky: a request that gives up strands the goroutine that would
//     deliver the answer, and the answer with it;
//   - fixed: the answer goes into a buffered channel, the goroutine ends;
//   - growing-then-stable: fixed, plus a connection pool that grows to its
//     size in the first second and then stays: growth that is not a leak.
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"time"

	"goleaklab/samples/watchdog"
)

// backend answers in 0-2 ms.
func backend() []byte {
	time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
	return make([]byte, 4<<10)
}

// ask returns the answer, or nil after 1 ms; buffer is 0 (leaky) or 1.
func ask(buffer int) []byte {
	ch := make(chan []byte, buffer)
	go func() { ch <- backend() }()
	select {
	case b := <-ch:
		return b
	case <-time.After(time.Millisecond):
		return nil
	}
}

// pool opens one long-lived connection per request until it has size.
type pool struct {
	conns [][]byte
	quit  chan struct{}
}

func (p *pool) use(size int) {
	if len(p.conns) < size {
		p.conns = append(p.conns, make([]byte, 16<<10))
		go func() { <-p.quit }() // the connection's reader, until the pool closes
	}
}

func main() {
	variant := flag.String("variant", "leaky", "leaky, fixed or growing-then-stable")
	duration := flag.Duration("duration", 4*time.Second, "how long to serve")
	rate := flag.Int("rate", 200, "requests per second")
	webhook := flag.String("webhook", "", "POST alerts as JSON to this URL")
	every := flag.Duration("every", 100*time.Millisecond, "watchdog sampling interval")
	window := flag.Duration("window", 2*time.Second, "watchdog trend window")
	minG := flag.Float64("min-goroutines", 60, "smallest goroutine growth to alert on, per minute")
	minHeap := flag.Float64("min-heap", 1<<20, "smallest live-heap growth to alert on, bytes per minute")
	flag.Parse()
	buffer := map[string]int{"leaky": 0, "fixed": 1, "growing-then-stable": 1}
	if _, ok := buffer[*variant]; !ok || *rate <= 0 {
		fmt.Fprintln(os.Stderr, "usage: demo -variant leaky|fixed|growing-then-stable [-webhook URL]")
		os.Exit(2)
	}
	sinks := []watchdog.Sink{watchdog.LogSink(log.New(os.Stderr, "", log.Lmicroseconds))}
	if *webhook != "" {
		sinks = append(sinks, watchdog.WebhookSink(*webhook))
	}
	w, err := watchdog.Start(watchdog.Every(*every), watchdog.Window(*window),
		watchdog.MinGoroutineGrowth(*minG), watchdog.MinHeapGrowth(*minHeap), watchdog.AlertTo(sinks...))
	if err != nil {
		log.Fatal(err)
	}
	p := &pool{quit: make(chan struct{})}
	start, n := time.Now(), 0
	for time.Since(start) < *duration {
		ask(buffer[*variant])
		if *variant == "growing-then-stable" {
			p.use(*rate) // full after one second of requests
		}
		n++
		time.Sleep(time.Until(start.Add(time.Duration(n) * time.Second / time.Duration(*rate))))
	}
	w.Stop()
	close(p.quit)
	st := w.Stats()
	fmt.Printf("%s: served %d requests; watchdog: %d samples, %d alerts, %.1f µs per sample\n",
		*variant, n, st.Samples, st.Alerts, float64(st.Busy.Microseconds())/float64(max(st.Samples, 1)))
}
