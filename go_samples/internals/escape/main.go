// Command escape sends one 256-byte record per request from a producer to
// a consumer goroutine, by pointer or by value, and, in the leaky and
// fixed variants, keeps recent records for a debug page.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

type variant interface {
	produce(id int)
	consume() int64 // runs in its own goroutine until close
	close()
}

func newVariant(name string) variant {
	switch name {
	case "pointer":
		return byPointer{make(chan *record, 128)}
	case "value":
		return byValue{make(chan record, 128)}
	case "leaky":
		return leaky{make(chan *record, 128)}
	case "fixed":
		return fixed{make(chan record, 128)}
	}
	return nil
}

// run produces rate records per second for duration; it returns how many
// and the consumer's checksum.
func run(v variant, rate int, duration time.Duration) (n int, total int64) {
	done := make(chan int64)
	go func() { done <- v.consume() }()
	begin := time.Now()
	for time.Since(begin) < duration {
		v.produce(n)
		n++
		if next := begin.Add(time.Duration(n) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	v.close()
	return n, <-done
}

// workingSet stands for the data a real service keeps (caches, sessions):
// the GC marks all of it in every cycle.
var workingSet []*[8]int64

func keepLive(mb int) {
	workingSet = make([]*[8]int64, mb<<20/64)
	for i := range workingSet {
		workingSet[i] = new([8]int64)
	}
}

func main() {
	name := flag.String("variant", "pointer", "pointer, value, leaky or fixed")
	duration := flag.Duration("duration", 2*time.Second, "how long to run")
	rate := flag.Int("rate", 50000, "requests per second")
	live := flag.Int("live", 0, "MiB of long-lived data to keep")
	flag.Parse()
	v := newVariant(*name)
	if v == nil || *rate <= 0 {
		fmt.Fprintln(os.Stderr, "usage: escape -variant pointer|value|leaky|fixed -rate N -duration D")
		os.Exit(2)
	}
	keepLive(*live)
	n, total := run(v, *rate, *duration)
	fmt.Printf("%s: %d requests, checksum %d\n", *name, n, total)
}
