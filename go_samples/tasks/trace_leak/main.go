// Command trace_leak is a small price service, the task of lab 19: one kind
// of its goroutines leaks. Find which from its execution trace, without
// reading this file first.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sync/atomic"
	"time"
)

type job struct {
	item  int
	reply chan<- int
}

type replica struct{ name string }

var (
	jobs     = make(chan job)
	replicas = []replica{{"eu"}, {"us"}}
	served   atomic.Int64
	total    atomic.Int64
)

// worker is one goroutine of the pool: it packs the items it is given.
func worker(jobs <-chan job) {
	for j := range jobs {
		j.reply <- j.item * 2
	}
}

// flusher reports the running total every period.
func flusher(period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for range t.C {
		_ = total.Load()
	}
}

// quote is a replica's price for item, after a network delay.
func (r replica) quote(item int) int {
	time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
	return item * 100
}

// price asks every replica and takes the first answer.
func price(item int) int {
	answers := make(chan int)
	for _, r := range replicas {
		go func() { answers <- r.quote(item) }()
	}
	return <-answers
}

// handle serves one request: a price, a packing job, then a slow write.
func handle(item int) {
	p := price(item)
	reply := make(chan int, 1)
	jobs <- job{item, reply}
	<-reply
	time.Sleep(time.Duration(rand.IntN(30)) * time.Millisecond)
	total.Add(int64(p))
	served.Add(1)
}

func main() {
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 100, "requests per second")
	pool := flag.Int("workers", 100, "goroutines in the packing pool")
	flag.Parse()
	if *rate <= 0 || *pool <= 0 {
		fmt.Fprintln(os.Stderr, "usage: trace_leak -rate N -workers N -duration D")
		os.Exit(2)
	}
	for range *pool {
		go worker(jobs)
	}
	go flusher(100 * time.Millisecond)
	start, n := time.Now(), 0
	for time.Since(start) < *duration {
		go handle(n)
		n++
		if next := start.Add(time.Duration(n) * time.Second / time.Duration(*rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	fmt.Printf("trace_leak: started %d requests, %d done\n", n, served.Load())
}
