package main

import (
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// reused says whether conns connections is what reuse looks like. Since Go
// 1.27, Close drains a short rest after it returns, so the next request may
// find the pool empty and dial a second connection.
func reused(conns int) bool { return conns >= 1 && conns <= 2 }

func TestFixedLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, which := range []string{"noclose", "nodrain"} {
		n, conns, err := run(fixed{}, which, 512<<10, 200, 100*time.Millisecond, false)
		if err != nil {
			t.Fatal(err)
		}
		if !reused(conns) {
			t.Errorf("%s: %d requests used %d connections, want them reused", which, n, conns)
		}
	}
}

func TestLeakyIsCaught(t *testing.T) {
	before := goleak.IgnoreCurrent()
	run(leaky{}, "noclose", 512<<10, 200, 100*time.Millisecond, false)
	if err := goleak.Find(before); err == nil {
		t.Fatal("goleak found no leaked goroutine after bodies were left open")
	}
}

// TestNoDrainChurns shows that closing a large body unread is not a leak:
// no goroutine is left, but every request needs a new connection.
func TestNoDrainChurns(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	n, conns, err := run(leaky{}, "nodrain", 512<<10, 200, 100*time.Millisecond, false)
	if err != nil {
		t.Fatal(err)
	}
	if conns < n {
		t.Errorf("%d requests used only %d connections; expected one each", n, conns)
	}
}

// TestExercise checks your exercise.go; the lab's check cell runs it.
func TestExercise(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("set LEAKLAB_CHECK_EXERCISE=1 to check exercise.go")
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, which := range []string{"noclose", "nodrain"} {
		n, conns, err := run(exercise{}, which, 512<<10, 200, 100*time.Millisecond, false)
		if err != nil {
			t.Fatal(err)
		}
		if !reused(conns) {
			t.Errorf("%s: %d requests used %d connections; reused connections would serve them all", which, n, conns)
		}
	}
}
