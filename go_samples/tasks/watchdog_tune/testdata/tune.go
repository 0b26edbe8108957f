package main

import (
	"time"

	"goleaklab/samples/watchdog"
)

// options configures the watchdog for both services. Tune it so that the
// warm-up raises no alert and the heap leak raises a heap alert within
// the check's 8 s runs.
func options() []watchdog.Option {
	return []watchdog.Option{
		watchdog.Every(100 * time.Millisecond),
		watchdog.Window(1 * time.Second),
		watchdog.MinGoroutineGrowth(60),   // goroutines per minute
		watchdog.MinHeapGrowth(256 << 20), // bytes per minute
	}
}
