package main

import (
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestFixedLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	load(fixed{}, cases, newBank(), 500, 100*time.Millisecond)
}

func TestLeakyIsCaught(t *testing.T) {
	for _, c := range cases {
		t.Run(c, func(t *testing.T) {
			before := goleak.IgnoreCurrent()
			load(leaky{}, []string{c}, newBank(), 500, 100*time.Millisecond)
			if err := goleak.Find(before); err == nil {
				t.Fatalf("goleak found no leaked goroutine in the leaky %s case", c)
			}
		})
	}
}

// TestExercise checks your exercise.go; the lab's check cell runs it.
func TestExercise(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("set LEAKLAB_CHECK_EXERCISE=1 to check exercise.go")
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	load(exercise{}, cases, newBank(), 500, 100*time.Millisecond)
}
