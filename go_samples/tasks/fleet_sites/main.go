// Command fleet is one instance of a search service. Each request searches a
// backend (giving up after a timeout) and every so often starts a watch for
// updates of its query; the index is replicated from a set of shards that
// the instance connects to when it starts.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"time"
)

// config is what differs between instances.
type config struct {
	rate       int           // requests per second, on average
	backend    time.Duration // the backend answers within this
	timeout    time.Duration // a search gives up after this
	watchEvery int           // one request in watchEvery starts a watch
	shards     int
	dial       time.Duration // connecting to one shard takes this
}

// serve runs the instance for duration and returns the requests served.
func serve(c config, duration time.Duration) int {
	audit := make(chan int)
	for range 4 {
		go worker(audit)
	}
	go connect(c.shards, c.dial)
	updates := &hub{}
	var wg sync.WaitGroup
	n, start := 0, time.Now()
	for time.Since(start) < duration {
		wg.Add(1)
		go handle(c, n, updates, audit, &wg)
		n++
		time.Sleep(time.Duration(rand.ExpFloat64() * float64(time.Second) / float64(c.rate)))
	}
	wg.Wait()
	close(audit)
	return n
}

// handle serves one request: some work, a search, maybe a watch, an audit record.
func handle(c config, id int, updates *hub, audit chan<- int, wg *sync.WaitGroup) {
	defer wg.Done()
	time.Sleep(time.Duration(10+rand.IntN(50)) * time.Millisecond)
	search(id, c.backend, c.timeout)
	if id%c.watchEvery == 0 {
		watch(id, updates)
	}
	audit <- id
}

// worker is one of a fixed pool that writes audit records.
func worker(audit <-chan int) {
	for range audit {
	}
}

func main() {
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 200, "requests per second, on average")
	backend := flag.Duration("backend", 8*time.Millisecond, "the backend answers within this")
	timeout := flag.Duration("timeout", 10*time.Millisecond, "a search gives up after this")
	watchEvery := flag.Int("watch-every", 20, "one request in N starts a watch")
	shards := flag.Int("shards", 32, "shards to replicate the index from")
	dial := flag.Duration("dial", 20*time.Millisecond, "connecting to one shard takes this")
	flag.Parse()
	if *rate <= 0 || *backend <= 0 || *timeout <= 0 || *watchEvery <= 0 || *shards < 0 || *dial < 0 {
		fmt.Fprintln(os.Stderr, "usage: fleet -rate N -backend D -timeout D -watch-every N -shards N -dial D -duration D")
		os.Exit(2)
	}
	n := serve(config{*rate, *backend, *timeout, *watchEvery, *shards, *dial}, *duration)
	fmt.Printf("served %d requests\n", n)
}
