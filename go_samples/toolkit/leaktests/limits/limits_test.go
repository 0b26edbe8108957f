// Package limits shows where goleak's answer is wrong and what to use
// instead.
package limits

import (
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"goleaklab/samples/toolkit/leaktests/demo"
	"goleaklab/samples/toolkit/leaktests/fixed"
)

func slowQuery(d time.Duration) func() int {
	return func() int {
		time.Sleep(d)
		return 42
	}
}

// fixed.First does not leak, but its sender is still sleeping for 2 s
// when the test ends. VerifyNone retries for about 0.4 s, then gives up
// and reports it: a goroutine that is slow, not leaked, fails the test.
func TestSlowQueryGoleak(t *testing.T) {
	demo.Gate(t)
	defer goleak.VerifyNone(t)
	fixed.First(slowQuery(2*time.Second), time.Millisecond)
}

// The same check in a bubble. The fake clock stops when the bubble's
// function returns, so the test waits for the late answer itself: on the
// fake clock that 3 s wait costs no real time.
func TestSlowQuerySynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fixed.First(slowQuery(2*time.Second), time.Millisecond)
		time.Sleep(3 * time.Second)
	})
}

var started, checked = make(chan struct{}), make(chan struct{})

// Two parallel tests that leak nothing. TestParallelBusy keeps a worker
// goroutine until the other test's check is over (the channels make the
// overlap certain here; in a real suite it happens by chance).
func TestParallelBusy(t *testing.T) {
	demo.Gate(t)
	t.Parallel()
	done := make(chan struct{})
	go func() {
		close(started)
		<-checked
		close(done)
	}()
	<-done
}

// VerifyNone sees every goroutine of the process, so it blames this test
// for the other test's worker.
func TestParallelCheck(t *testing.T) {
	demo.Gate(t)
	t.Parallel()
	<-started
	defer close(checked)
	defer goleak.VerifyNone(t)
	fixed.Sum([]int{1, 2, 3}, 4)
}
