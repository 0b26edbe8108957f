package memstats

import (
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// heapMB sizes the big-heap load. Building and collecting it is most of this
// benchmark's CPU time (marking a linked list cannot be spread over threads), so a
// quick run can ask for less: go test -bench . -args -heapmb 64.
var heapMB = flag.Int("heapmb", 256, "MB of small linked objects in the heap= load")

type load struct {
	name                 string
	parked, spin, heapMB int
	every                time.Duration
}

// loads are the conditions each reader is measured under, one knob at a time.
// Reads are back to back, except in the last load, which reads like a
// monitor: once per tick of a timer.
func loads() []load {
	return []load{
		{"idle", 0, 0, 0, 0},
		{"parked=50k", 50_000, 0, 0, 0},
		{fmt.Sprintf("heap=%dMB", *heapMB), 0, 0, *heapMB, 0},
		{"running=2", 0, 2, 0, 0},
		{"running=4", 0, 4, 0, 0},
		{"idle, every 1ms", 0, 0, 0, time.Millisecond},
	}
}

func under(b *testing.B, read func()) {
	// Warm up: give every P a thread, as in a program that has run a while.
	stop := Spin(runtime.GOMAXPROCS(0))
	time.Sleep(20 * time.Millisecond)
	stop()
	for _, l := range loads() {
		b.Run(l.name, func(b *testing.B) {
			heap := Heap(l.heapMB << 20)
			defer Park(l.parked)()
			// Collect and return free memory to the OS now, so no GC or scavenger
			// work is running during the measurement; and before the spinners:
			// a GC competing with them for the CPUs can take seconds.
			debug.FreeOSMemory()
			Settle()
			defer Spin(l.spin)()
			for range 100 { // warm up: the first calls pay for page faults
				read()
			}
			b.ResetTimer()
			total0, stop0 := Pauses()
			var spent time.Duration
			for range b.N {
				if l.every > 0 {
					time.Sleep(l.every)
				}
				t0 := time.Now()
				read()
				spent += time.Since(t0)
			}
			total1, stop1 := Pauses()
			b.StopTimer()
			n, pause := Since(total0, total1)
			_, stopping := Since(stop0, stop1)
			b.ReportMetric(float64(spent.Nanoseconds())/float64(b.N), "call-ns/op")
			b.ReportMetric(float64(n)/float64(b.N), "stw/op")
			b.ReportMetric(pause*1e9, "pause-p50-ns")
			b.ReportMetric(stopping*1e9, "stopping-p50-ns")
			runtime.KeepAlive(heap)
		})
	}
}

func BenchmarkReadMemStats(b *testing.B) {
	var m runtime.MemStats
	under(b, func() { runtime.ReadMemStats(&m) })
}

func BenchmarkMetricsRead(b *testing.B) {
	s := Samples(Probe)
	under(b, func() { metrics.Read(s) })
}

func TestProbeNamesExist(t *testing.T) {
	all := map[string]bool{}
	for _, d := range metrics.All() {
		all[d.Name] = true
	}
	for _, n := range append(Probe, "/sched/pauses/total/other:seconds", "/sched/pauses/stopping/other:seconds",
		"/sched/goroutines/runnable:goroutines", "/sched/goroutines/running:goroutines") {
		if !all[n] {
			t.Errorf("%s is not a runtime/metrics name in %s", n, runtime.Version())
		}
	}
}

func TestReadMemStatsStopsTheWorldOnce(t *testing.T) {
	var m runtime.MemStats
	before, _ := Pauses()
	for range 10 {
		runtime.ReadMemStats(&m)
	}
	after, _ := Pauses()
	if n, p50 := Since(before, after); n < 10 || p50 <= 0 {
		t.Errorf("10 ReadMemStats calls: %d non-GC pauses, median %g s", n, p50)
	}
	s := Samples(Probe)
	before, _ = Pauses()
	for range 10 {
		metrics.Read(s)
	}
	after, _ = Pauses()
	if n, _ := Since(before, after); n != 0 {
		t.Errorf("10 metrics.Read calls, %d non-GC pauses, want 0", n)
	}
}

func ExampleHeap() {
	n := 0
	for p := Heap(64 * 100); p != nil; p = p.next {
		n++
	}
	fmt.Println(n)
	// Output: 100
}

// TestGoroutineCounts: NumGoroutine leaves out the runtime's own system
// goroutines (the GC's workers, the finalizer goroutine...), the metric
// counts them: the two are not the same number.
func TestGoroutineCounts(t *testing.T) {
	Settle()
	n, m := Goroutines()
	stop := Park(100)
	n2, m2 := Goroutines()
	stop()
	t.Logf("goroutines: NumGoroutine %d, /sched/goroutines:goroutines %d; with 100 more parked: %d and %d", n, m, n2, m2)
	if m < uint64(n) || n2-n != 100 || m2-m != 100 {
		t.Errorf("NumGoroutine %d -> %d, metric %d -> %d: want the metric >= NumGoroutine, both +100", n, n2, m, m2)
	}
}
