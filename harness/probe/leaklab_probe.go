// Code injected by Go Leak Lab's harness through `go build -overlay`.
// It is never written into the program's own folder. Standard library only,
// and it must build with every toolchain the lab can select (Go 1.22+).

package main

import (
	"bytes"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// leaklabMetrics maps runtime/metrics names to the keys of the JSON stream.
var leaklabMetrics = [][2]string{
	{"/gc/heap/live:bytes", "heap_live"},
	{"/gc/heap/objects:objects", "heap_objects"},
	{"/memory/classes/heap/objects:bytes", "heap_object_bytes"},
	{"/memory/classes/heap/stacks:bytes", "stack_bytes"},
	{"/gc/heap/allocs:bytes", "alloc_bytes"},
	{"/gc/heap/allocs:objects", "alloc_objects"},
	{"/gc/cycles/total:gc-cycles", "gc_cycles"},
	{"/gc/heap/goal:bytes", "heap_goal"},
	{"/memory/classes/total:bytes", "total_bytes"},
	{"/sched/goroutines-created:goroutines", "goroutines_created"},
	{"/cpu/classes/gc/total:cpu-seconds", "gc_cpu_s"},
	{"/cpu/classes/total:cpu-seconds", "cpu_s"},
}

type leaklabProbeState struct {
	start    time.Time
	out      *os.File // metrics.jsonl; nil when silent or finished
	mu       sync.Mutex
	samples  []metrics.Sample
	keys     []string
	dir      string
	interval time.Duration
	msEvery  int
	deadline time.Duration
	settle   time.Duration
	gcEvery  time.Duration
	heapAt   []time.Duration // heap profile snapshots (for pprof -diff_base)
	gEvery   time.Duration   // goroutine profile (debug=1) snapshots
	lastG    time.Time
	// Goroutine profiles taken every sEvery when the goroutine count changed since the last one
	// (sites over time, for the verdict), when no gEvery asks for them at every period.
	sEvery time.Duration
	lastS  time.Time
	lastSN int
	// Heap profiles for the verdict's growing allocation sites: one each time the live heap grew
	// by a quarter (and 512 kB) since the last (or since the first reading); no GC of their own.
	// Writing one allocates about 0.8 MB (its gzip state): a heap that does not grow gets none.
	heapAuto  bool
	heapAutoN uint64 // live heap at the last of these snapshots, else the first reading
	live      uint64 // live heap, at the last sample
	trace    *os.File
	lastGC   uint64
	lastGCAt time.Time
	gcs      uint64 // GC count at the last sample
	allocs   uint64 // bytes allocated, at the last sample
	allocsGC uint64 // bytes allocated, at the sample that first saw the last GC
	once     sync.Once
	buf      []byte
	// Pacing (under mu): samples are taken by the GC hook when collections are frequent and by
	// the loop's timer otherwise; see loop.
	timer    *time.Timer
	last     time.Time     // when the last sample was taken
	taken    int           // samples taken, for msEvery
	lastHook time.Time     // when the GC hook last ran
	gcGap    time.Duration // smoothed time between GC hook runs
	ending   bool          // finish has begun: no more periodic samples
	hooks    uint64        // times the GC hook's finalizer ran
	byGC     int           // periodic samples taken by the GC hook
	dueAt    time.Time     // timer pacing: when the next sample is due
}

var leaklabProbe = leaklabNewProbe()

// leaklabOwn counts the probe's own goroutines that runtime.NumGoroutine counts: the sampling
// loop, and runtime/trace's reader goroutine while a trace is written. The samples' "goroutines"
// leave them out, exactly: every goroutine the probe starts goes through leaklabGo.
var leaklabOwn atomic.Int32

// leaklabGo starts a goroutine of the probe's own (counted in leaklabOwn while f runs).
func leaklabGo(f func()) {
	leaklabOwn.Add(1)
	go func() {
		defer leaklabOwn.Add(-1)
		f()
	}()
}

// leaklabOwnFDs counts the probe's own open files (its stream, a trace, a profile being written,
// its /proc directories), left out of the samples' "fds".
var leaklabOwnFDs atomic.Int32

// leaklabProc returns the open file descriptors and child processes of the process; set where
// /proc can be read (leaklab_proc_linux.go, added to Linux builds only), nil elsewhere.
var leaklabProc func() (fds, children int)

// leaklabSched reads how many goroutines are running and runnable, where runtime/metrics has
// those counts (Go 1.27 does, 1.22 does not); nil where it does not, and leaklabBusy reads a
// goroutine dump instead.
var leaklabSched []metrics.Sample

func leaklabNewProbe() *leaklabProbeState {
	p := &leaklabProbeState{start: time.Now(), interval: 50 * time.Millisecond, msEvery: 20,
		settle: 500 * time.Millisecond, lastGCAt: time.Now()}
	p.dir = os.Getenv("LEAKLAB_DIR")
	if ms, err := strconv.Atoi(os.Getenv("LEAKLAB_INTERVAL_MS")); err == nil && ms > 0 {
		p.interval = time.Duration(ms) * time.Millisecond
	}
	if n, err := strconv.Atoi(os.Getenv("LEAKLAB_MEMSTATS_EVERY")); err == nil && n >= 0 {
		p.msEvery = n
	}
	if ms, err := strconv.Atoi(os.Getenv("LEAKLAB_DEADLINE_MS")); err == nil && ms > 0 {
		p.deadline = time.Duration(ms) * time.Millisecond
	}
	if ms, err := strconv.Atoi(os.Getenv("LEAKLAB_GC_EVERY_MS")); err == nil && ms > 0 {
		p.gcEvery = time.Duration(ms) * time.Millisecond
	}
	if ms, err := strconv.Atoi(os.Getenv("LEAKLAB_SETTLE_MS")); err == nil && ms >= 0 {
		p.settle = time.Duration(ms) * time.Millisecond
	}
	if ms, err := strconv.Atoi(os.Getenv("LEAKLAB_GOROUTINES_EVERY_MS")); err == nil && ms > 0 {
		p.gEvery = time.Duration(ms) * time.Millisecond
	}
	if ms, err := strconv.Atoi(os.Getenv("LEAKLAB_SITES_EVERY_MS")); err == nil && ms > 0 {
		p.sEvery = time.Duration(ms) * time.Millisecond
	}
	p.heapAuto = os.Getenv("LEAKLAB_HEAP_AUTO") != ""
	for _, f := range strings.Split(os.Getenv("LEAKLAB_HEAP_AT_MS"), ",") {
		if ms, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && ms > 0 {
			p.heapAt = append(p.heapAt, time.Duration(ms)*time.Millisecond)
		}
	}
	supported := map[string]bool{}
	for _, d := range metrics.All() {
		supported[d.Name] = true
	}
	for _, m := range leaklabMetrics {
		if supported[m[0]] {
			p.samples = append(p.samples, metrics.Sample{Name: m[0]})
			p.keys = append(p.keys, m[1])
		}
	}
	if supported["/sched/goroutines/running:goroutines"] && supported["/sched/goroutines/runnable:goroutines"] {
		leaklabSched = []metrics.Sample{{Name: "/sched/goroutines/running:goroutines"},
			{Name: "/sched/goroutines/runnable:goroutines"}}
	}
	if p.dir == "" {
		return p // built with the probe but run outside the harness: stay silent
	}
	f, err := os.Create(p.dir + "/metrics.jsonl")
	if err != nil {
		return p
	}
	// Each line is written as it is made, with no buffer in between: every sample was flushed
	// at once anyway, and a 64 KB buffer was live heap the program's GC had to pace around
	// (about 2% more collections for a program at Go's 4 MB minimum heap).
	p.out = f
	leaklabOwnFDs.Add(1)
	if os.Getenv("LEAKLAB_TRACE") != "" {
		if tf, err := os.Create(p.dir + "/trace.out"); err == nil && trace.Start(tf) == nil {
			p.trace = tf
			leaklabOwnFDs.Add(1)
			leaklabOwn.Add(1) // the goroutine runtime/trace started to read the trace
		}
	}
	return p
}

func init() {
	if p := leaklabProbe; p.out != nil {
		p.sample(false, false)
		p.mu.Lock()
		p.dueAt = p.start.Add(p.interval)
		p.timer = time.NewTimer(p.interval)
		p.mu.Unlock()
		leaklabArmGCHook(p)
		leaklabGo(p.loop)
	}
}

// Sampling is paced so that the program's own goroutines are woken as little as possible.
// Waking a goroutine while the garbage collector is marking is what a periodic sampler costs a
// program that allocates hard (benchmarks/readcost: a few tenths of a millisecond of the working
// goroutine's time per wake-up at a hundred collections a second, whatever the woken goroutine
// then reads), and so does resetting a timer that a goroutine waits on (the runtime wakes a
// thread to look at it), while the finalizer goroutine, which the runtime wakes after a
// collection anyway, costs it next to nothing. So when collections come at least twice per
// interval, the sample is taken from a finalizer re-armed every cycle (onGC), at the collection
// nearest to the interval, and the loop's timer only checks every leaklabWatch intervals that
// collections still come. When they are rarer (an idle or CPU-bound program, whose wake-ups are
// cheap) the timer takes the samples, on the interval's grid (see memStatsDue). The timer also
// wakes the loop for the deadline, the forced collections and the profile snapshots.
func (p *leaklabProbeState) loop() {
	for {
		<-p.timer.C
		if p.deadline > 0 && time.Since(p.start) >= p.deadline {
			p.finish("deadline")
			os.Exit(0)
		}
		p.mu.Lock()
		due := !p.ending && p.isDue(time.Now())
		p.mu.Unlock()
		if due {
			p.sample(p.memStatsDue(false), false)
		}
		p.maybeGC()
		p.snapshots()
		p.rearm()
	}
}

// leaklabGCMark is allocated once per collection, unreachable at once, with a finalizer:
// when a collection finds it, the finalizer goroutine runs onGC.
type leaklabGCMark struct{ p *leaklabProbeState }

func leaklabArmGCHook(p *leaklabProbeState) {
	runtime.SetFinalizer(&leaklabGCMark{p}, func(m *leaklabGCMark) { m.p.onGC() })
}

// onGC runs on the finalizer goroutine after a collection: it takes the sample when one is due
// and re-arms itself (until finish begins). It leaves the loop's timer alone (see loop).
func (p *leaklabProbeState) onGC() {
	p.mu.Lock()
	p.hooks++
	if p.ending || p.out == nil {
		p.mu.Unlock()
		return
	}
	now := time.Now()
	if gap := now.Sub(p.lastHook); gap < p.interval {
		p.gcGap = (3*p.gcGap + gap) / 4
	} else {
		p.gcGap = p.interval
	}
	p.lastHook = now
	due := p.gcPaced(now) && p.isDue(now)
	p.mu.Unlock()
	if due {
		p.sample(p.memStatsDue(true), false)
	}
	leaklabArmGCHook(p)
}

func (p *leaklabProbeState) hookRuns() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hooks
}

// isDue says whether a sample is due now (mu held). While collections pace the samples (only the
// GC hook takes them then), at the collection nearest to the interval after the last sample, up
// to half a gap early. Otherwise at dueAt, on the timer.
func (p *leaklabProbeState) isDue(now time.Time) bool {
	if p.gcPaced(now) {
		return now.Sub(p.last) >= p.interval-p.gcGap/2
	}
	return !now.Before(p.dueAt)
}

// gcPaced reports whether collections currently come at least twice per interval (mu held).
// Once per interval is not enough: the collections the probe forces itself (maybeGC), one per
// sample in a short run, must not take the loop's timer away from the samples they follow.
func (p *leaklabProbeState) gcPaced(now time.Time) bool {
	return p.gcGap < p.interval/2 && !p.lastHook.IsZero() && now.Sub(p.lastHook) < p.interval
}

// memStatsDue counts a periodic sample, sets when the timer's next one is due, and says whether
// this one should include ReadMemStats. Timer samples fall on the interval's grid (start + k
// intervals, as a ticker's do), so that a run of a given length gets the same number of samples:
// scheduling each one an interval after the last drifts by the timer's latency every time, and in
// a half-second run one sample fewer was enough to miss a trend. The grid also keeps the samples
// at one phase of anything the program does at a fixed period, which makes a steady rise show
// sooner (tried: moving each sample by up to a quarter interval at random halved the verdicts
// found in 0.5 s on lab samples) and can, rarely, draw a trend out of a steady periodic program.
func (p *leaklabProbeState) memStatsDue(byGC bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.taken++
	if byGC {
		p.byGC++
	}
	slot := (time.Since(p.start) + p.interval/2) / p.interval // the interval's grid point nearest to now
	p.dueAt = p.start.Add((slot + 1) * p.interval)
	return p.msEvery > 0 && p.taken%p.msEvery == 0
}

// leaklabWatch: while collections pace the samples, the loop wakes every leaklabWatch intervals
// to see that they still do. When they stop, at most that long passes without a sample, once.
const leaklabWatch = 4

// rearm sets the loop's timer (from the loop only) to the earliest of: the next sample, or the
// next check while collections pace the samples; the deadline; the next profile snapshot.
func (p *leaklabProbeState) rearm() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	next := p.dueAt
	if p.gcPaced(now) {
		next = now.Add(leaklabWatch * p.interval)
	}
	if p.deadline > 0 {
		if d := p.start.Add(p.deadline); d.Before(next) {
			next = d
		}
	}
	if len(p.heapAt) > 0 {
		if d := p.start.Add(p.heapAt[0]); d.Before(next) {
			next = d
		}
	}
	if p.gEvery > 0 {
		if d := p.lastG.Add(p.gEvery); d.Before(next) {
			next = d
		}
	}
	if p.sEvery > 0 && p.gEvery == 0 {
		if d := p.lastS.Add(p.sEvery); d.Before(next) {
			next = d
		}
	}
	wait := next.Sub(now)
	if wait < time.Millisecond {
		wait = time.Millisecond
	}
	p.timer.Reset(wait)
}

// snapshots writes the heap profiles asked for at fixed times and the periodic
// goroutine profiles, named by their time in ms since start.
func (p *leaklabProbeState) snapshots() {
	el := time.Since(p.start)
	for len(p.heapAt) > 0 && el >= p.heapAt[0] {
		runtime.GC() // the heap profile describes the heap as of the last GC
		p.writeProfile("heap", "heap-"+strconv.FormatInt(el.Milliseconds(), 10)+".pb.gz", 0)
		p.heapAt = p.heapAt[1:]
	}
	if p.gEvery > 0 && time.Since(p.lastG) >= p.gEvery {
		p.lastG = time.Now()
		p.writeProfile("goroutine", "goroutines-"+strconv.FormatInt(el.Milliseconds(), 10)+".txt", 1)
	} else if p.gEvery == 0 && p.sEvery > 0 && time.Since(p.lastS) >= leaklabClamp(el/10, p.sEvery, time.Second) {
		// A tenth of the run so far (from sEvery up to a second apart): at least ten of them in
		// a run of any length. Only when the count moved by 2 (and 5 %): a steady program costs
		// one profile, a growing one a profile per period (a stop-the-world walk of every
		// stack, about 10 kB allocated).
		p.lastS = time.Now()
		if n := runtime.NumGoroutine(); n >= p.lastSN+2+p.lastSN/20 || n <= p.lastSN-2-p.lastSN/20 {
			p.lastSN = n
			p.writeProfile("goroutine", "sites-"+strconv.FormatInt(el.Milliseconds(), 10)+".txt", 1)
		}
	}
	if p.heapAuto {
		p.mu.Lock()
		live := p.live
		p.mu.Unlock()
		if p.heapAutoN == 0 {
			p.heapAutoN = live
		} else if live >= p.heapAutoN+p.heapAutoN/4 && live >= p.heapAutoN+512<<10 {
			// As of the last collection, as the live heap is: the probe forces them often.
			p.heapAutoN = live
			p.writeProfile("heap", "heapauto-"+strconv.FormatInt(el.Milliseconds(), 10)+".pb.gz", 0)
		}
	}
}

// maybeGC forces a collection when none ran for gcEvery, so the live heap
// (known only at the end of a GC) is measured at least that often. A program that allocated
// less than leaklabQuietBytes since the last collection cannot have a live heap grown by more
// than that: for it the forced collection waits, up to leaklabQuietEvery times gcEvery. Forced
// four times a second, collections cost a CPU-bound program about a percent of its time here
// (`bench overhead`); once a second, too little to measure.
func (p *leaklabProbeState) maybeGC() {
	if p.gcEvery <= 0 {
		return
	}
	p.mu.Lock()
	n, allocs := p.gcs, p.allocs // as of the sample just taken: no second metrics read
	p.mu.Unlock()
	if n != p.lastGC {
		p.lastGC, p.lastGCAt, p.allocsGC = n, time.Now(), allocs
		return
	}
	// Checked once per sample: half an interval early rather than a whole one late, so that
	// GCs come every gcEvery and not every gcEvery+interval.
	since := time.Since(p.lastGCAt) + p.interval/2
	if since >= p.gcEvery && (allocs-p.allocsGC >= leaklabQuietBytes || since >= leaklabQuietEvery*p.gcEvery) {
		runtime.GC()
		// Counted after the collection: the first one allocates the runtime's own GC state
		// (about 65 kB), which the sample before it cannot have seen and the program did not do.
		p.lastGC, p.allocsGC = leaklabGCState()
		p.lastGCAt = time.Now()
	}
}

func leaklabClamp(d, lo, hi time.Duration) time.Duration {
	return max(lo, min(d, hi))
}

const (
	leaklabQuietBytes = 16 << 10
	leaklabQuietEvery = 4
)

// leaklabQueues returns how many finalizers and cleanups the runtime has queued to run and how
// many have run; ok is false where runtime/metrics does not count them (older Go, 1.22 among them).
func leaklabQueues() (queued, ran uint64, ok bool) {
	s := []metrics.Sample{{Name: "/gc/finalizers/queued:finalizers"}, {Name: "/gc/finalizers/executed:finalizers"},
		{Name: "/gc/cleanups/queued:cleanups"}, {Name: "/gc/cleanups/executed:cleanups"}}
	metrics.Read(s)
	for i, x := range s {
		if x.Value.Kind() != metrics.KindUint64 {
			return 0, 0, false
		}
		if i%2 == 0 {
			queued += x.Value.Uint64()
		} else {
			ran += x.Value.Uint64()
		}
	}
	return queued, ran, true
}

// leaklabGCState returns the number of completed collections and the bytes allocated so far.
func leaklabGCState() (gcs, allocs uint64) {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 {
		gcs = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		allocs = s[1].Value.Uint64()
	}
	return gcs, allocs
}

// sample writes one JSON line. The probe's own goroutines are not counted (leaklabOwn).
func (p *leaklabProbeState) sample(withMemStats, final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.out == nil {
		return
	}
	readAt := time.Now()
	p.last = readAt
	metrics.Read(p.samples)
	readCost := time.Since(readAt)
	b := p.buf[:0]
	b = append(b, `{"t":`...)
	b = strconv.AppendFloat(b, time.Since(p.start).Seconds(), 'f', 4, 64)
	// runtime.NumGoroutine leaves out the runtime's own goroutines (GC workers, the finalizer
	// goroutine even while it runs the probe's GC hook...), which /sched/goroutines counts since
	// Go 1.26: the two are not interchangeable. Minus the probe's own goroutines.
	b = append(b, `,"goroutines":`...)
	b = strconv.AppendInt(b, int64(runtime.NumGoroutine()-int(leaklabOwn.Load())), 10)
	if leaklabProc != nil {
		// Open file descriptors less the probe's own, and child processes (zombies included):
		// about 20-50 us of system calls, no allocation.
		fds, children := leaklabProc()
		if fds >= 0 {
			b = append(b, `,"fds":`...)
			b = strconv.AppendInt(b, int64(fds-int(leaklabOwnFDs.Load())), 10)
		}
		if children >= 0 {
			b = append(b, `,"children":`...)
			b = strconv.AppendInt(b, int64(children), 10)
		}
	}
	for i, s := range p.samples {
		switch s.Value.Kind() {
		case metrics.KindUint64:
			switch s.Name {
			case "/gc/cycles/total:gc-cycles":
				p.gcs = s.Value.Uint64()
			case "/gc/heap/allocs:bytes":
				p.allocs = s.Value.Uint64()
			case "/gc/heap/live:bytes":
				p.live = s.Value.Uint64()
			}
			b = append(b, `,"`...)
			b = append(b, p.keys[i]...)
			b = append(b, `":`...)
			b = strconv.AppendUint(b, s.Value.Uint64(), 10)
		case metrics.KindFloat64:
			b = append(b, `,"`...)
			b = append(b, p.keys[i]...)
			b = append(b, `":`...)
			b = strconv.AppendFloat(b, s.Value.Float64(), 'g', 6, 64)
		}
	}
	if withMemStats {
		// The cost of this sample's runtime/metrics read, next to ReadMemStats' below.
		b = append(b, `,"metrics_read_ns":`...)
		b = strconv.AppendInt(b, readCost.Nanoseconds(), 10)
		var ms runtime.MemStats
		t0 := time.Now()
		runtime.ReadMemStats(&ms)
		cost := time.Since(t0)
		b = append(b, `,"memstats":{"HeapAlloc":`...)
		b = strconv.AppendUint(b, ms.HeapAlloc, 10)
		b = append(b, `,"HeapInuse":`...)
		b = strconv.AppendUint(b, ms.HeapInuse, 10)
		b = append(b, `,"HeapObjects":`...)
		b = strconv.AppendUint(b, ms.HeapObjects, 10)
		b = append(b, `,"HeapSys":`...)
		b = strconv.AppendUint(b, ms.HeapSys, 10)
		b = append(b, `,"Sys":`...)
		b = strconv.AppendUint(b, ms.Sys, 10)
		b = append(b, `,"StackInuse":`...)
		b = strconv.AppendUint(b, ms.StackInuse, 10)
		b = append(b, `,"Mallocs":`...)
		b = strconv.AppendUint(b, ms.Mallocs, 10)
		b = append(b, `,"Frees":`...)
		b = strconv.AppendUint(b, ms.Frees, 10)
		b = append(b, `,"NumGC":`...)
		b = strconv.AppendUint(b, uint64(ms.NumGC), 10)
		b = append(b, `,"PauseTotalNs":`...)
		b = strconv.AppendUint(b, ms.PauseTotalNs, 10)
		b = append(b, `,"ReadCostNs":`...)
		b = strconv.AppendInt(b, cost.Nanoseconds(), 10)
		b = append(b, '}')
	}
	if final {
		b = append(b, `,"final":true`...)
	}
	b = append(b, "}\n"...)
	p.out.Write(b)
	p.buf = b
}

// event writes one event line; extra is more JSON fields, each with a leading comma.
func (p *leaklabProbeState) event(name, reason, extra string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.out == nil {
		return
	}
	p.out.WriteString(`{"event":"` + name + `","reason":"` + reason + `","t":` +
		strconv.FormatFloat(time.Since(p.start).Seconds(), 'f', 4, 64) + extra + "}\n")
}

// finish captures the end state once: it lets goroutines that are still
// shutting down finish, forces GC, then writes the profiles.
func (p *leaklabProbeState) finish(reason string) {
	p.once.Do(func() {
		if p.out == nil {
			return
		}
		p.mu.Lock()
		p.ending = true
		p.mu.Unlock()
		p.event("ending", reason, "")
		if p.trace != nil {
			n := runtime.NumGoroutine()
			trace.Stop()
			p.trace.Close()
			leaklabOwnFDs.Add(-1)
			// Stop returns once the trace is written; its reader goroutine ends right after.
			for wait := time.Now().Add(20 * time.Millisecond); runtime.NumGoroutine() >= n && time.Now().Before(wait); {
				time.Sleep(100 * time.Microsecond)
			}
			leaklabOwn.Add(-1)
		}
		if reason == "exited" {
			p.settleGoroutines()
		}
		// The end state is measured after a full collection. Where the goroutineleak profile
		// exists, writing it (debug=2) runs the leak-detecting GC, a full collection, and then
		// dumps every goroutine, proven leaks with "(leaked)" in their header; one detection
		// cycle only: it runs while the program may still be running.
		_, ranBefore, counted := leaklabQueues()
		hooksBefore := p.hookRuns() // read after ranBefore: a hook run in between counts as the user's (a second GC too many, never one too few)
		leakProfile := pprof.Lookup("goroutineleak") != nil
		if leakProfile {
			p.writeProfile("goroutineleak", "goroutines.txt", 2)
		} else {
			runtime.GC()
		}
		// Finalizers (and cleanups) that had not run when that collection began keep what they
		// reference until they run, so a second collection, once they have run, is needed to
		// free it. Without them it would find exactly what the first did, and it is skipped:
		// on a 6 MB live heap it was half of the end capture. The probe's own GC hook is one
		// such finalizer, not counted: it holds nothing. Runtimes that do not count finalizers
		// (older Go, 1.22 among them) always get the second collection.
		second := !counted
		if queued, _, _ := leaklabQueues(); counted && queued > ranBefore {
			for wait := time.Now().Add(100 * time.Millisecond); time.Now().Before(wait); {
				if _, ran, _ := leaklabQueues(); ran >= queued {
					break
				}
				time.Sleep(100 * time.Microsecond)
			}
			second = queued-ranBefore > p.hookRuns()-hooksBefore
		}
		if second {
			runtime.GC()
		}
		p.sample(true, true)
		p.writeProfile("heap", "heap.pb.gz", 0)
		if !leakProfile {
			p.writeProfile("goroutine", "goroutines.txt", 2)
		}
		// How the periodic samples were paced, for the record (see loop).
		p.mu.Lock()
		paced := `,"paced_by_gc":` + strconv.Itoa(p.byGC) + `,"paced_by_timer":` + strconv.Itoa(p.taken-p.byGC) +
			`,"busy_from":"` + leaklabBusyFrom() + `"`
		p.mu.Unlock()
		p.event("end", reason, paced)
		p.mu.Lock()
		p.out.Close()
		leaklabOwnFDs.Add(-1)
		p.out = nil
		p.mu.Unlock()
	})
}

// settleGoroutines waits (bounded by p.settle) until no goroutine of the program
// is still running, runnable or sleeping and the count stopped falling, so goroutines
// that are merely finishing (or about to block) are not reported half-way.
func (p *leaklabProbeState) settleGoroutines() {
	deadline := time.Now().Add(p.settle)
	last, stable := runtime.NumGoroutine(), time.Now()
	buf := leaklabStackBuf[:]
	for time.Now().Before(deadline) && last > 1+int(leaklabOwn.Load()) { // the caller and the probe's
		time.Sleep(5 * time.Millisecond)
		n := runtime.NumGoroutine()
		if n != last {
			last, stable = n, time.Now()
		} else if time.Since(stable) >= 50*time.Millisecond && !leaklabBusy(&buf) {
			return
		}
	}
}

// leaklabStackBuf holds the goroutine dumps taken while the program ends. A package-level array
// has no pointers to scan and is not heap: the program's heap in use does not jump by its size in
// the last samples. A bigger dump grows into the heap.
var leaklabStackBuf [64 << 10]byte

// leaklabBusy reports whether a goroutine other than the caller and the probe's
// sampler is running, runnable or in time.Sleep. Where runtime/metrics counts running and runnable
// goroutines it says so from those counts, without stopping the world for a dump (counting the
// runtime's own goroutines too: a GC worker that runs makes the caller wait one more check);
// sleeping goroutines it cannot see, so when none runs the dump is still read for those.
func leaklabBusy(buf *[]byte) bool {
	if leaklabSched != nil {
		metrics.Read(leaklabSched)
		running, runnable := leaklabSched[0].Value, leaklabSched[1].Value
		if running.Kind() == metrics.KindUint64 && runnable.Kind() == metrics.KindUint64 &&
			(running.Uint64() > 1 || runnable.Uint64() > 0) { // 1: the caller
			return true
		}
	}
	for {
		n := runtime.Stack(*buf, true)
		if n < len(*buf) {
			*buf = (*buf)[:n]
			break
		}
		if len(*buf) >= 16<<20 {
			return false // too many goroutines to look at cheaply: do not wait
		}
		*buf = make([]byte, 2*len(*buf))
	}
	// Read in place: a string copy of the dump would be garbage the size of the dump on every
	// check, visible in the program's heap in use while it ends.
	blocks := bytes.Split(*buf, []byte("\n\n"))
	defer func() { *buf = (*buf)[:cap(*buf)] }()
	for _, b := range blocks[1:] { // blocks[0] is the calling goroutine
		if bytes.Contains(b, []byte("leaklabProbeState")) || bytes.Contains(b, []byte("main.leaklabGo")) {
			continue
		}
		hdr, _, _ := bytes.Cut(b, []byte("\n"))
		if bytes.Contains(hdr, []byte("[sleep")) || leaklabSched == nil &&
			(bytes.Contains(hdr, []byte("[running")) || bytes.Contains(hdr, []byte("[runnable"))) {
			return true
		}
	}
	return false
}

// leaklabBusyFrom names where leaklabBusy learns of running goroutines, for the end event.
func leaklabBusyFrom() string {
	if leaklabSched != nil {
		return "metrics"
	}
	return "stack"
}

func (p *leaklabProbeState) writeProfile(name, file string, debug int) {
	prof := pprof.Lookup(name)
	if prof == nil {
		return
	}
	leaklabOwnFDs.Add(1)
	defer leaklabOwnFDs.Add(-1)
	f, err := os.Create(p.dir + "/" + file)
	if err != nil {
		return
	}
	defer f.Close()
	prof.WriteTo(f, debug)
}
