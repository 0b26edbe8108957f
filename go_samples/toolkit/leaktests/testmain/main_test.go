// Package testmain checks for leaks once, after all of its tests: the
// way to use goleak with t.Parallel.
package testmain

import (
	"testing"

	"go.uber.org/goleak"

	"goleaklab/samples/toolkit/leaktests/demo"
	"goleaklab/samples/toolkit/leaktests/leaky"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Sum with no numbers and no workers starts only its sender, which has
// nothing to send and ends at once: this test leaks nothing.
func TestNoWork(t *testing.T) {
	t.Parallel()
	if got := leaky.Sum(nil, 0); got != 0 {
		t.Fatalf("Sum = %d", got)
	}
}

// This test passes by itself; the check after all tests fails the
// package, without saying which test leaked.
func TestLeaksQuietly(t *testing.T) {
	demo.Gate(t)
	t.Parallel()
	if got := leaky.Sum([]int{1, 2, 3}, 4); got != 14 {
		t.Fatalf("Sum = %d, want 14", got)
	}
}
