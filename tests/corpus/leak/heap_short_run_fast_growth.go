// Pattern: append-only in-memory history (an exporter keeping every sample "for the
// UI", a debug ring that was never made a ring): ~50 MB/s of live heap growth, checked
// with the same 1.5 s run that the goroutine-growth cases use.
// expect: leak
// category: heap
// duration: 1.5
// heap: growing

package main

import "time"

type sample struct {
	ts     int64
	values [1024]float64
}

var history []*sample // BUG: never truncated

func scrape(n int) {
	s := &sample{ts: time.Now().UnixNano()}
	s.values[0] = float64(n)
	history = append(history, s)
}

func main() {
	for n := 0; ; n++ {
		scrape(n)
		if n%60 == 0 {
			time.Sleep(10 * time.Millisecond) // ~6000 samples/s, 8 KiB each
		}
	}
}
