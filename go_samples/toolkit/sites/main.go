// Command sites is a small service with several kinds of goroutines (a fixed
// pool, one per request, one background loop) and, in its leaky variant, one
// kind that never ends: the goroutine profile grouped by site shows which.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"time"
)

// variant is what leaky.go and fixed.go each implement.
type variant interface {
	lookup(key int, timeout time.Duration) (int, bool)
}

var variants = map[string]variant{"leaky": leaky{}, "fixed": fixed{}}

// serve starts requests at random intervals (rate per second on average)
// for duration, then waits for them and stops the pool and the flusher.
func serve(v variant, rate int, duration time.Duration) int {
	audit, stop := make(chan int), make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		go worker(audit)
	}
	go flusher(stop)
	n, start := 0, time.Now()
	for time.Since(start) < duration {
		wg.Add(1)
		go handle(v, n, audit, &wg)
		n++
		time.Sleep(time.Duration(rand.ExpFloat64() * float64(time.Second) / float64(rate)))
	}
	wg.Wait()
	close(audit)
	close(stop)
	return n
}

func main() {
	name := flag.String("variant", "leaky", "leaky or fixed")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 200, "requests per second, on average")
	flag.Parse()
	v, ok := variants[*name]
	if !ok || *rate <= 0 {
		fmt.Fprintln(os.Stderr, "usage: sites -variant leaky|fixed -rate N -duration D")
		os.Exit(2)
	}
	n := serve(v, *rate, *duration)
	fmt.Printf("%s: served %d requests\n", *name, n)
}
