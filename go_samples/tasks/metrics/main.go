// Command metrics runs a service with the logger of logger.go beside it:
// the logger's lines go to stdout. Service "known" keeps a live heap and a
// number of goroutines the program knows, and prints them to stderr at the
// end (as "known: {...}") for the check to compare with the logger's lines;
// services 1, 2 and 3 are three services to tell apart by those lines.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"goleaklab/samples/tasks/metrics/services"
)

// logLine is one line of the logger's output.
type logLine struct {
	T          float64 `json:"t"`          // seconds since the logger started
	LiveHeap   uint64  `json:"live_heap"`  // bytes
	Goroutines uint64  `json:"goroutines"` // count
	Stacks     uint64  `json:"stacks"`     // bytes of goroutine stacks
}

// known keeps mb MiB live and n goroutines parked while it churns garbage,
// so that the heap holds much more than what is live between collections.
func known(mb, n int, d time.Duration) (kept [][]byte, release func()) {
	for range mb * 16 {
		kept = append(kept, make([]byte, 64<<10))
	}
	park := make(chan struct{})
	for range n {
		go func() { <-park }()
	}
	var sink []byte
	for begin := time.Now(); time.Since(begin) < d; {
		sink = make([]byte, 256<<10)
		sink[0] = 1
		time.Sleep(time.Millisecond)
	}
	return kept, func() { close(park) }
}

func main() {
	service := flag.String("service", "known", "known, 1, 2 or 3")
	duration := flag.Duration("duration", 2*time.Second, "how long to run")
	interval := flag.Duration("interval", 100*time.Millisecond, "logging interval")
	flag.Parse()
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		logMetrics(os.Stdout, *interval, stop)
		close(done)
	}()
	switch *service {
	case "known":
		kept, release := known(8, 50, *duration)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		truth := map[string]any{"live_heap": len(kept) * (64 << 10), "num_goroutine": runtime.NumGoroutine(),
			"stack_inuse": ms.StackInuse}
		close(stop)
		<-done
		release()
		b, _ := json.Marshal(truth)
		fmt.Fprintf(os.Stderr, "known: %s\n", b)
		return
	case "1", "2", "3":
		services.Run(*service, *duration)
	default:
		fmt.Fprintln(os.Stderr, "usage: metrics -service known|1|2|3 -duration D -interval D")
		os.Exit(2)
	}
	close(stop)
	<-done
}
