package main

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

// only is the notebook's load restricted to some cases.
func only(cases ...string) config {
	c := defaults
	c.cases = map[string]bool{}
	for _, name := range cases {
		c.cases[name] = true
	}
	return c
}

// liveGrowth is how much the live heap grew across f, measured after a GC.
func liveGrowth(f func()) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

// handleMany handles 100 requests of 64 KiB, each done long before its limit.
func handleMany(v variant) {
	for i := range 100 {
		v.handle(&request{id: i, body: make([]byte, 64<<10)}, time.Minute)
	}
}

// checkClean is what fixed passes and exercise must pass: no goroutine left
// behind, no request body kept after its request.
func checkClean(t *testing.T, v variant) {
	t.Helper()
	func() {
		defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
		load(v, only("all"), 200, 100*time.Millisecond)
	}()
	if grew := liveGrowth(func() { handleMany(v) }); grew > 1<<20 {
		t.Errorf("handle kept %d kB of 100 finished requests alive; want < 1 MB", grew>>10)
	}
}

func TestFixedIsClean(t *testing.T) { checkClean(t, fixed{}) }

// TestGoleakCatchesTickerLoop: goroutines that loop on a ticker for ever are
// what goleak reports (the goroutineleak profile cannot prove them leaked).
func TestGoleakCatchesTickerLoop(t *testing.T) {
	before := goleak.IgnoreCurrent()
	load(leaky{}, only("ticker"), 100, 25*time.Millisecond) // 3 clients, who all leave
	err := goleak.Find(before)
	if err == nil {
		t.Fatal("goleak found no goroutine left behind by leaky.watch")
	}
	t.Logf("goleak.Find reports:\n%v", err)
}

// TestAfterFuncHoldsBodies: an AfterFunc timer keeps its func, and all the
// func refers to, until it fires or is stopped. It has no channel, so Go
// 1.23's change to unreferenced timers does not apply.
func TestAfterFuncHoldsBodies(t *testing.T) {
	grew := liveGrowth(func() { handleMany(leaky{}) })
	if grew < 5<<20 {
		t.Fatalf("leaky.handle kept only %d kB of 100 requests × 64 KiB", grew>>10)
	}
	t.Logf("100 finished requests × 64 KiB: live heap +%d kB until their timers fire", grew>>10)
}

// TestUnstoppedTimersAreCollected documents Go 1.23+: a timer or ticker that
// nothing refers to any more is garbage, stopped or not.
func TestUnstoppedTimersAreCollected(t *testing.T) {
	c, n := only("after", "nostop"), 0
	grew := liveGrowth(func() { n = load(leaky{}, c, 1000, 100*time.Millisecond) })
	if grew > 256<<10 {
		t.Fatalf("time.After in a loop and unstopped tickers kept %d kB", grew>>10)
	}
	t.Logf("%s: %d time.After timers and %d tickers, none stopped: live heap %+d kB",
		runtime.Version(), n*c.batch, n*c.jobs, grew>>10)
}

// heartbeat runs v.watch for one client in a synctest bubble: 10 s of fake
// time pass at once, then the client leaves and the bubble must empty.
func heartbeat(t *testing.T, v variant) {
	synctest.Test(t, func(t *testing.T) {
		s, done := &session{}, make(chan struct{})
		v.watch(s, time.Second, done)
		time.Sleep(10*time.Second + time.Millisecond)
		close(done)
		if n := s.pings.Load(); n != 10 {
			t.Errorf("%d pings in 10 s, want 10", n)
		}
	})
}

func TestSynctestFixedTicker(t *testing.T) { heartbeat(t, fixed{}) }

// TestSynctestCatchesTickerLoop runs the heartbeat test in child processes,
// because synctest.Test panics when goroutines stay blocked in the bubble
// after the test function returns, and the panic ends the whole test binary:
// with fixed.watch the child passes, with leaky.watch it must panic.
func TestSynctestCatchesTickerLoop(t *testing.T) {
	if name := os.Getenv("TIMERS_SYNCTEST_VARIANT"); name != "" {
		heartbeat(t, variants[name])
		return
	}
	child := func(name string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSynctestCatchesTickerLoop$", "-test.timeout=60s")
		cmd.Env = append(os.Environ(), "TIMERS_SYNCTEST_VARIANT="+name)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := child("fixed"); err != nil { // the control: same test, fixed code
		t.Fatalf("the child process fails with fixed.watch too (%v):\n%s", err, out)
	}
	report, err := child("leaky")
	if err == nil || !strings.Contains(report, "blocked goroutines remain") {
		t.Fatalf("synctest did not catch leaky.watch (err=%v):\n%s", err, report)
	}
	var keep []string // the panic line and the goroutines left in the bubble
	inBubble := false
	for _, line := range strings.Split(report, "\n") {
		inBubble = strings.Contains(line, "synctest bubble") || inBubble && line != ""
		if strings.HasPrefix(line, "panic:") || inBubble {
			keep = append(keep, line)
		}
	}
	t.Logf("synctest on leaky.watch (child process, %v):\n%s", err, strings.Join(keep, "\n"))
}

// TestExercise checks your exercise.go; the lab's check cell runs it.
func TestExercise(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("set LEAKLAB_CHECK_EXERCISE=1 to check exercise.go")
	}
	checkClean(t, exercise{})
}
