// Command ebpf_oneliner is the program of lab 20's task: a service whose
// leaky variant strands the goroutine of every lookup that times out. At
// exit it writes how many goroutines are alive (runtime.NumGoroutine, which
// leaves out the runtime's own) on stderr, so the lab's check can compare
// what a bpftrace program counted from outside with the truth.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"time"
)

// lookup asks a backend that answers in 0-2 ms and gives it 1 ms; leaky's
// answer channel has no room, so a late answer is never sent.
func lookup(variant string) (int, bool) {
	room := 1
	if variant == "leaky" {
		room = 0
	}
	answer := make(chan int, room)
	go func() {
		time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
		answer <- 42
	}()
	select {
	case v := <-answer:
		return v, true
	case <-time.After(time.Millisecond):
		return 0, false
	}
}

func main() {
	variant := flag.String("variant", "leaky", "leaky or fixed")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 200, "requests per second")
	flag.Parse()
	if (*variant != "leaky" && *variant != "fixed") || *rate <= 0 {
		fmt.Fprintln(os.Stderr, "usage: ebpf_oneliner -variant leaky|fixed -rate N -duration D")
		os.Exit(2)
	}
	start, n, late := time.Now(), 0, 0
	for time.Since(start) < *duration {
		if _, ok := lookup(*variant); !ok {
			late++
		}
		n++
		if next := start.Add(time.Duration(n) * time.Second / time.Duration(*rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	time.Sleep(5 * time.Millisecond) // late answers of the fixed variant land and their goroutines end
	fmt.Fprintf(os.Stderr, "ebpf_oneliner: %d requests, %d timed out; goroutines alive at exit: %d\n",
		n, late, runtime.NumGoroutine())
}
