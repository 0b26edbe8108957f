package main

import (
	"io"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func short() options {
	return options{duration: 2 * time.Second, rate: 250, sessions: 8, products: 5000,
		report: 500 * time.Millisecond, seed: 1}
}

func TestShopServesItsTraffic(t *testing.T) {
	sum, err := run(short(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sent < 100 || sum.Failed > sum.Sent/10 || sum.Dropped > sum.Sent/10 { // a busy machine stalls a few
		t.Fatalf("sent %d, failed %d, dropped %d; examples: %q", sum.Sent, sum.Failed, sum.Dropped, sum.Examples)
	}
	for _, route := range []string{"product", "search", "cart", "checkout"} {
		if r := sum.Routes[route]; r == nil || r.OK == 0 {
			t.Errorf("no %s request answered as it should", route)
		}
	}
}

// TestNoGoroutinesLeftBehind runs the whole shop under load, shuts it down and
// asks goleak whether any goroutine is left. The lab's capstone runs it
// (LEAKLAB_CHECK_EXERCISE=1).
func TestNoGoroutinesLeftBehind(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("set LEAKLAB_CHECK_EXERCISE=1 to check the shop with goleak")
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	if _, err := run(short(), io.Discard); err != nil {
		t.Fatal(err)
	}
}
