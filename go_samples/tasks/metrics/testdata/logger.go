package main

import (
	"encoding/json"
	"io"
	"time"
)

// logMetrics writes one logLine (main.go) as JSON to w every interval
// until stop is closed.
//
// TODO: a monitor that must tell a leak from a program warming up needs
// three numbers on every line: the live heap, the number of goroutines and
// the bytes of goroutine stacks. Read them with runtime/metrics (pick the
// metric names from `go doc runtime/metrics`: the live heap is the one this
// lab showed a leak in). The check runs a program whose numbers it knows
// and compares your lines with them.
func logMetrics(w io.Writer, interval time.Duration, stop <-chan struct{}) {
	start := time.Now()
	enc := json.NewEncoder(w)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		enc.Encode(logLine{T: time.Since(start).Seconds()})
	}
}
