package main

import (
	"runtime"
	"testing"
	"time"
)

// The leaky variant strands one goroutine per timed-out lookup, the fixed
// one none: the truth the lab's check compares a bpftrace count with.
func TestLeakyStrandsTimedOutLookups(t *testing.T) {
	for _, v := range []string{"fixed", "leaky"} {
		before := runtime.NumGoroutine()
		late := 0
		for range 50 {
			if _, ok := lookup(v); !ok {
				late++
			}
		}
		time.Sleep(10 * time.Millisecond)
		left := runtime.NumGoroutine() - before
		want := 0
		if v == "leaky" {
			want = late
		}
		if left != want {
			t.Errorf("%s: %d goroutines left after %d timeouts, want %d", v, left, late, want)
		}
	}
}
