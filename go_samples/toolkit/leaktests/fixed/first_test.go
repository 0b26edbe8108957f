package fixed

import (
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

// slowQuery answers after d: always later than the 1 ms timeout below.
func slowQuery(d time.Duration) func() int {
	return func() int {
		time.Sleep(d)
		return 42
	}
}

// goleak: when the test returns, no goroutine it started may still exist.
// VerifyNone retries for a while, so a goroutine that is about to finish
// (the fixed sender, 50 ms later) does not count.
func TestFirstGoleak(t *testing.T) {
	defer goleak.VerifyNone(t)
	if _, ok := First(slowQuery(50*time.Millisecond), time.Millisecond); ok {
		t.Fatal("want a timeout")
	}
}

func TestSumGoleak(t *testing.T) {
	defer goleak.VerifyNone(t)
	if got := Sum([]int{1, 2, 3}, 4); got != 14 {
		t.Fatalf("Sum = %d, want 14", got)
	}
}

// synctest: the bubble has a fake clock, so the timeout always wins, and
// synctest.Test fails if goroutines of the bubble are still blocked when
// its function returns. One bubble for both calls: a failing bubble panics
// and ends the test binary, so tests after it would not run.
func TestSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if got := Sum([]int{1, 2, 3}, 4); got != 14 {
			t.Fatalf("Sum = %d, want 14", got)
		}
		if _, ok := First(slowQuery(50*time.Millisecond), time.Millisecond); ok {
			t.Fatal("want a timeout")
		}
		time.Sleep(time.Second) // let the late answer arrive: fake time, no real wait
	})
}

// BenchmarkSum measures one fan-out: five goroutines started and ended
// (in the fixed package).
func BenchmarkSum(b *testing.B) {
	for b.Loop() {
		Sum([]int{1, 2, 3, 4}, 4)
	}
}
