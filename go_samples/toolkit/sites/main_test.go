package main

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestFixedLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	serve(fixed{}, 500, 200*time.Millisecond)
}

func TestLeakyIsCaught(t *testing.T) {
	before := goleak.IgnoreCurrent()
	serve(leaky{}, 500, 200*time.Millisecond)
	if err := goleak.Find(before); err == nil {
		t.Fatal("goleak found no leaked goroutine in the leaky variant")
	}
}
