package watchdog

import (
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// feed runs the decision on a made-up series, one sample per second of a
// fake clock, and returns the sample indexes that alerted.
func feed(t *testing.T, ys []float64, opts ...Option) []int {
	t.Helper()
	clock := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	opts = append([]Option{Every(time.Second), Window(30 * time.Second), MinHeapGrowth(0), Sites(0)}, opts...)
	w, err := newWatchdog(opts...)
	if err != nil {
		t.Fatal(err)
	}
	w.cfg.now = func() time.Time { return clock }
	var at []int
	for i, y := range ys {
		clock = clock.Add(time.Second)
		if len(w.observe(y, 0)) > 0 {
			at = append(at, i)
		}
	}
	return at
}

// noisy is base + slope*i plus uniform noise of +-amp, from a fixed seed.
func noisy(n int, base, slope, amp float64, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	ys := make([]float64, n)
	for i := range ys {
		ys[i] = float64(int(base + slope*float64(i) + amp*(2*r.Float64()-1)))
	}
	return ys
}

// The first test runs when the window is full (sample 29); the alert
// comes when 7 tests in a row (a quarter of 30 samples) have passed.
func TestAlertsOneWindowIntoASteadyLeak(t *testing.T) {
	at := feed(t, noisy(40, 200, 2, 20, 1)) // +2 goroutines/s under +-20 noise
	if len(at) != 1 || at[0] != 35 {
		t.Fatalf("alerts at samples %v, want one at 35", at)
	}
	if at := feed(t, noisy(40, 200, 2, 20, 1), Confirm(1)); len(at) != 1 || at[0] != 29 {
		t.Fatalf("Confirm(1): alerts at samples %v, want one at 29", at)
	}
}

func TestQuietOnNoiseAlone(t *testing.T) {
	for seed := range uint64(50) {
		if at := feed(t, noisy(300, 200, 0, 30, seed)); len(at) > 0 {
			t.Fatalf("seed %d: false alarm at samples %v on pure noise", seed, at)
		}
	}
}

// A pool that grows to its size in 10 s and then stays: no alert with a
// 30 s window, because the newest half of every full window is flat.
func TestQuietWhenGrowthLevelsOff(t *testing.T) {
	ys := append(noisy(10, 0, 15, 2, 3), noisy(200, 150, 0, 2, 4)...)
	if at := feed(t, ys); len(at) > 0 {
		t.Fatalf("alert at samples %v for growth that stopped", at)
	}
}

// The known blind spot: a warm-up longer than half the window looks like a
// leak while it lasts. Make the window at least twice your warm-up.
func TestWarmupLongerThanHalfTheWindowAlerts(t *testing.T) {
	ys := append(noisy(60, 0, 5, 2, 5), noisy(200, 300, 0, 2, 6)...)
	if at := feed(t, ys); len(at) == 0 {
		t.Fatal("no alert inside a 60 s rise with a 30 s window")
	}
	if at := feed(t, ys, Window(120*time.Second)); len(at) > 0 {
		t.Fatalf("alerts at %v with a window twice the rise", at)
	}
}

func TestGrowthBelowTheMinimumIsQuiet(t *testing.T) {
	ys := ramp(100, 100, 0.1) // 6 per minute: significant, but small
	if at := feed(t, ys); len(at) > 0 {
		t.Fatalf("alerts at %v below the 10/min minimum", at)
	}
	if at := feed(t, ys, MinGoroutineGrowth(5)); len(at) == 0 {
		t.Fatal("no alert above a 5/min minimum")
	}
}

func TestCooldownSpacesAlerts(t *testing.T) {
	// Tests pause for 20 s after an alert, then 7 must pass again.
	at := feed(t, ramp(100, 0, 1), Cooldown(20*time.Second))
	want := []int{35, 61, 87}
	if len(at) != len(want) {
		t.Fatalf("alerts at %v, want %v", at, want)
	}
	for i := range want {
		if at[i] != want[i] {
			t.Fatalf("alerts at %v, want %v", at, want)
		}
	}
}

func leakOne(never chan struct{}) { <-never }

// End to end: real goroutines leak, the real runtime is sampled, and the
// alert names the function they are stuck in.
func TestCatchesARealGoroutineLeak(t *testing.T) {
	defer goleak.VerifyNone(t)
	alerts := make(chan Alert, 10)
	w, err := Start(Every(10*time.Millisecond), Window(200*time.Millisecond), MinHeapGrowth(0), Confirm(3),
		MinGoroutineGrowth(600), AlertTo(SinkFunc(func(a Alert) error { alerts <- a; return nil })))
	if err != nil {
		t.Fatal(err)
	}
	never := make(chan struct{})
	defer close(never) // runs after Stop: the leaked goroutines are let go
	defer w.Stop()
	deadline := time.After(5 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case a := <-alerts:
			if a.Metric != Goroutines || len(a.Sites) == 0 || !strings.HasSuffix(a.Sites[0].Function, "watchdog.leakOne") {
				t.Fatalf("alert %+v does not point at leakOne", a)
			}
			if a.Trend.Slope < 10 || a.SinceStart < 0.2 {
				t.Fatalf("slope %v/s after %v s: want >= 10/s, no earlier than one window", a.Trend.Slope, a.SinceStart)
			}
			if st := w.Stats(); st.Samples < 20 || st.Alerts < 1 || st.Busy <= 0 {
				t.Fatalf("stats %+v", st)
			}
			return
		case <-tick.C:
			go leakOne(never)
		case <-deadline:
			t.Fatal("no alert in 5 s while 200 goroutines/s leaked")
		}
	}
}

func TestStopLeavesNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t)
	w, err := Start(Every(time.Millisecond), Window(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	w.Stop()
	w.Stop() // twice is fine
}

// Stop may be called from several goroutines at once (a signal handler and a
// deferred Stop, say): one of them closes the stop channel, all of them wait.
func TestConcurrentStop(t *testing.T) {
	defer goleak.VerifyNone(t)
	w, err := Start(Every(time.Millisecond), Window(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			<-start
			w.Stop()
		})
	}
	close(start)
	wg.Wait()
}

// The live heap is watched the same way, in bytes per minute.
func TestAlertsOnLiveHeapGrowth(t *testing.T) {
	clock := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	w, err := newWatchdog(Every(time.Second), Window(30*time.Second), MinGoroutineGrowth(0),
		MinHeapGrowth(1<<20), Sites(0))
	if err != nil {
		t.Fatal(err)
	}
	w.cfg.now = func() time.Time { return clock }
	var got []Alert
	heap := noisy(40, 50<<20, 100<<10, 50<<10, 7) // +100 kB/s = 6 MB/min, noise +-50 kB
	for i, h := range heap {
		clock = clock.Add(time.Second)
		got = append(got, w.observe(float64(i%3), h)...)
	}
	if len(got) != 1 || got[0].Metric != LiveHeap || !strings.Contains(got[0].Message, "kB/s live heap") {
		t.Fatalf("alerts %+v, want one live-heap alert", got)
	}
}
