package main

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

func serveFor(v variant, d time.Duration) {
	for n, start := 0, time.Now(); time.Since(start) < d; n++ {
		dispatch(v, n)
	}
}

func TestFixedLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	serveFor(variants["fixed"](), 100*time.Millisecond)
}

func TestLeakyIsCaught(t *testing.T) {
	before := goleak.IgnoreCurrent()
	serveFor(variants["leaky"](), 100*time.Millisecond)
	if err := goleak.Find(before); err == nil {
		t.Fatal("goleak found no leaked goroutine in the leaky variant")
	}
}
