// Command watchdog_tune runs one of two services under the watchdog of
// go_samples/watchdog, configured by options() in tune.go, and prints its
// alerts as one JSON line. It is lab 21's task: tune the options so that
//
//   - warmup (fills a cache and a connection pool for its first 1.5 s, then
//     holds them) raises no alert, and
//   - heapleak (keeps 4 kB of every request forever; no goroutine grows)
//     raises a heap alert before the run ends.
//
// Both allocate 256 kB of short-lived garbage per request, so GC cycles
// come often: the live heap is only measured when one ends.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"goleaklab/samples/watchdog"
)

const warmupFor = 1500 * time.Millisecond

var (
	sink  []byte             // the garbage of the request being served
	cache = map[int][]byte{} // warmup: filled during the warm-up, then only read
	kept  = map[int][]byte{} // heapleak: every request's 4 kB, forever
	quit  = make(chan struct{})
)

// serve handles request n of the chosen variant.
func serve(variant string, n int, since time.Duration) {
	sink = make([]byte, 256<<10)
	switch {
	case variant == "warmup" && since < warmupFor:
		cache[n] = make([]byte, 32<<10)
		go func() { <-quit }() // a pooled connection's reader, until shutdown
	case variant == "heapleak":
		kept[n] = make([]byte, 4<<10)
	}
}

type summary struct {
	Variant string           `json:"variant"`
	Seconds float64          `json:"seconds"`
	Samples int              `json:"samples"`
	Alerts  []watchdog.Alert `json:"alerts"`
}

func main() {
	variant := flag.String("variant", "warmup", "warmup or heapleak")
	duration := flag.Duration("duration", 8*time.Second, "how long to serve")
	rate := flag.Int("rate", 200, "requests per second")
	flag.Parse()
	if (*variant != "warmup" && *variant != "heapleak") || *rate <= 0 {
		fmt.Fprintln(os.Stderr, "usage: watchdog_tune -variant warmup|heapleak -rate N -duration D")
		os.Exit(2)
	}
	var alerts []watchdog.Alert
	record := watchdog.SinkFunc(func(a watchdog.Alert) error {
		a.Sites = nil // the sites are not what this task is about
		alerts = append(alerts, a)
		return nil
	})
	w, err := watchdog.Start(append(options(), watchdog.AlertTo(record))...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	start, n := time.Now(), 0
	for time.Since(start) < *duration {
		serve(*variant, n, time.Since(start))
		n++
		time.Sleep(time.Until(start.Add(time.Duration(n) * time.Second / time.Duration(*rate))))
	}
	w.Stop()
	close(quit)
	out, _ := json.Marshal(summary{*variant, time.Since(start).Seconds(), w.Stats().Samples, alerts})
	fmt.Println(string(out))
}
