// Command readcost measures what one read of the runtime's memory numbers costs the rest of the
// program, not only the caller. A worker goroutine does fixed blocks of work while a reader
// goroutine reads on a ticker; the reader is switched on and off between blocks, in groups of
// four (on, off, off, on) so that a steady drift of the machine's speed cancels within a group.
// Switched off, the reader has no ticker at all. A group's cost per read is the worker's extra
// time in its two "on" blocks divided by the reads made during them.
//
// Measured this way, in one process, the cost does not depend on how the binary was linked or on
// how fast this process happened to start, which between separate runs of a program differ by
// more than the cost itself.
//
// Reads: memstats (runtime.ReadMemStats: stops the world and flushes every P's allocation cache),
// metrics (runtime/metrics.Read of the harness probe's twelve metrics), sample (what the probe
// does every interval: that read, the goroutine count, one JSON line written to a file), wake
// (nothing: what the ticker's wake-ups alone cost).
//
// Pacing: with -pace timer (the default) the reader wakes on a ticker every interval. With
// -pace gc it paces its reads as the harness probe does (harness/probe/leaklab_probe.go: onGC,
// isDue, rearm; only its timer reads are not kept on a grid): a finalizer re-armed every garbage collection takes the read at the
// collection nearest to the interval, and a timer takes it only when collections come less than
// twice an interval (otherwise the timer wakes every watch intervals to see that they still come).
// -pace gc-reset is the same but pushes the timer past the next read after every read, as a first
// version of the probe did: the runtime wakes a thread each time a timer a goroutine waits on moves.
//
// Output: one JSON object with the cost per read of every group, in microseconds, and the cost
// of every group as a share of its work, in percent.
package main

import (
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

type node struct {
	next *node
	val  [6]int
}

var keep []*node

// The probe's twelve metrics (harness/probe/leaklab_probe.go).
var probeMetrics = []string{
	"/gc/heap/live:bytes", "/gc/heap/objects:objects", "/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/stacks:bytes", "/gc/heap/allocs:bytes", "/gc/heap/allocs:objects",
	"/gc/cycles/total:gc-cycles", "/gc/heap/goal:bytes", "/memory/classes/total:bytes",
	"/sched/goroutines-created:goroutines", "/cpu/classes/gc/total:cpu-seconds", "/cpu/classes/total:cpu-seconds",
}

// allocWork builds lists of 1,000 small objects, keeping the last len(keep) (-live; 100, about
// 6.4 MB, by default), as benchmarks/alloc does.
func allocWork(rounds int, r0 int) {
	for r := r0; r < r0+rounds; r++ {
		var head *node
		for i := 0; i < 1000; i++ {
			head = &node{next: head, val: [6]int{i}}
		}
		if len(keep) > 0 {
			keep[r%len(keep)] = head
		}
	}
}

var sum [32]byte

// cpuWork hashes, allocating nothing, as benchmarks/cpu does.
func cpuWork(rounds int) {
	for i := 0; i < rounds*2000; i++ {
		sum = sha256.Sum256(sum[:])
	}
}

type reader struct {
	what    string
	samples []metrics.Sample
	ms      runtime.MemStats
	out     *os.File
	buf     []byte
	start   time.Time
	reads   atomic.Int64
	mu      sync.Mutex // reads come from two goroutines with -pace gc
	callers []float64  // ns per read as the reader saw it (under mu)
	gc      *gcPacer   // with -pace gc
}

func (r *reader) read() {
	r.mu.Lock()
	defer r.mu.Unlock()
	t0 := time.Now()
	switch r.what {
	case "wake":
	case "memstats":
		runtime.ReadMemStats(&r.ms)
	case "metrics":
		metrics.Read(r.samples)
	case "sample":
		metrics.Read(r.samples)
		b := append(r.buf[:0], `{"t":`...)
		b = strconv.AppendFloat(b, time.Since(r.start).Seconds(), 'f', 4, 64)
		b = append(b, `,"goroutines":`...)
		b = strconv.AppendInt(b, int64(runtime.NumGoroutine()), 10)
		for _, s := range r.samples {
			b = append(b, `,"`...)
			b = append(b, s.Name...)
			b = append(b, `":`...)
			if s.Value.Kind() == metrics.KindUint64 {
				b = strconv.AppendUint(b, s.Value.Uint64(), 10)
			} else if s.Value.Kind() == metrics.KindFloat64 {
				b = strconv.AppendFloat(b, s.Value.Float64(), 'g', 6, 64)
			}
		}
		b = append(b, "}\n"...)
		r.out.Write(b)
		r.buf = b
	}
	r.callers = append(r.callers, float64(time.Since(t0).Nanoseconds()))
	r.reads.Add(1)
}

// run reads every interval while switched on; switched off it holds no ticker. Each value sent
// on ctl switches it (true: on) and is acknowledged on ack once the switch is done.
func (r *reader) run(interval time.Duration, ctl <-chan bool, ack chan<- struct{}) {
	if r.gc != nil {
		r.gc.run(r, interval, ctl, ack)
		return
	}
	for on := range ctl {
		ack <- struct{}{}
		if !on {
			continue
		}
		tick := time.NewTicker(interval)
	reading:
		for {
			select {
			case on = <-ctl:
				tick.Stop()
				ack <- struct{}{}
				if !on {
					break reading
				}
				tick = time.NewTicker(interval)
			case <-tick.C:
				r.read()
			}
		}
	}
	close(ack)
}

// gcPacer paces the reads as the probe does (-pace gc). All fields are guarded by mu.
type gcPacer struct {
	mu       sync.Mutex
	on       bool
	gen      int // switch-on count: a hook armed in an earlier "on" period stops re-arming
	interval time.Duration
	timer    *time.Timer
	last     time.Time
	lastHook time.Time
	gcGap    time.Duration
	reset    bool // -pace gc-reset
}

type gcMark struct {
	g   *gcPacer
	r   *reader
	gen int
}

func (g *gcPacer) arm(r *reader, gen int) {
	runtime.SetFinalizer(&gcMark{g, r, gen}, func(m *gcMark) { m.g.onGC(m.r, m.gen) })
}

func (g *gcPacer) paced(now time.Time) bool {
	return g.gcGap < g.interval/2 && !g.lastHook.IsZero() && now.Sub(g.lastHook) < g.interval
}

func (g *gcPacer) threshold(now time.Time) time.Duration {
	if g.paced(now) {
		return g.interval - g.gcGap/2
	}
	return g.interval
}

// watch: while collections pace the reads, the timer wakes every watch intervals (the probe's
// leaklabWatch).
const watch = 4

// rearmLocked sets the timer (from the timer's goroutine only: resetting a timer that a goroutine
// waits on wakes a thread) to the next read, or to the next check while collections pace the reads.
func (g *gcPacer) rearmLocked(now time.Time) {
	next := g.last.Add(g.interval)
	if g.paced(now) && g.reset {
		next = next.Add(g.gcGap/2 + time.Millisecond)
	} else if g.paced(now) {
		next = now.Add(watch * g.interval)
	}
	wait := next.Sub(now)
	if wait < time.Millisecond {
		wait = time.Millisecond
	}
	g.timer.Reset(wait)
}

// onGC runs on the finalizer goroutine after each collection while the reader is on.
func (g *gcPacer) onGC(r *reader, gen int) {
	g.mu.Lock()
	if !g.on || gen != g.gen {
		g.mu.Unlock()
		return
	}
	now := time.Now()
	if gap := now.Sub(g.lastHook); gap < g.interval {
		g.gcGap = (3*g.gcGap + gap) / 4
	} else {
		g.gcGap = g.interval
	}
	g.lastHook = now
	due := g.paced(now) && now.Sub(g.last) >= g.threshold(now) // the timer reads otherwise, as in the probe
	if due {
		g.last = now
	}
	g.mu.Unlock()
	if due {
		r.read()
		if g.reset {
			g.mu.Lock()
			g.rearmLocked(time.Now())
			g.mu.Unlock()
		}
	}
	g.arm(r, gen)
}

func (g *gcPacer) run(r *reader, interval time.Duration, ctl <-chan bool, ack chan<- struct{}) {
	g.interval = interval
	g.timer = time.NewTimer(time.Hour)
	g.timer.Stop()
	for {
		select {
		case on, ok := <-ctl:
			if !ok {
				close(ack)
				return
			}
			g.mu.Lock()
			if on && !g.on {
				g.gen++
				g.last, g.lastHook, g.gcGap = time.Now(), time.Time{}, 0
				g.rearmLocked(g.last)
				g.arm(r, g.gen)
			} else if !on {
				g.timer.Stop()
			}
			g.on = on
			g.mu.Unlock()
			ack <- struct{}{}
		case <-g.timer.C:
			g.mu.Lock()
			now := time.Now()
			due := g.on && now.Sub(g.last) >= g.threshold(now)
			if due {
				g.last = now
			}
			g.mu.Unlock()
			if due {
				r.read()
			}
			g.mu.Lock()
			if g.on {
				g.rearmLocked(time.Now())
			}
			g.mu.Unlock()
		}
	}
}

type result struct {
	Work       string    `json:"work"`
	Read       string    `json:"read"`
	Pace       string    `json:"pace"`
	IntervalMs float64   `json:"interval_ms"`
	Blocks     int       `json:"blocks"`
	BlockMs    float64   `json:"block_ms"`        // median worker time per block, reader off
	ReadsPerOn float64   `json:"reads_per_block"` // median reads during a block with the reader on
	GroupsUs   []float64 `json:"groups_us"`       // worker's extra time per read, one per group of four blocks
	GroupsPct  []float64 `json:"groups_pct"`      // worker's extra time in a group's "on" blocks, % of its "off" blocks
	CallerUs   float64   `json:"caller_us"`       // median time of one read, as the reader saw it
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}

func main() {
	work := flag.String("work", "alloc", "alloc | cpu")
	read := flag.String("read", "memstats", "memstats | metrics | sample | wake")
	interval := flag.Duration("interval", 2*time.Millisecond, "time between reads while the reader is on")
	blocks := flag.Int("blocks", 200, "blocks of work, a multiple of 4 (half with the reader on)")
	rounds := flag.Int("rounds", 1000, "rounds of work per block (alloc: 1,000 objects each)")
	live := flag.Int("live", 100, "alloc: lists of 1,000 objects kept reachable (0: the GC runs several hundred times a second)")
	pace := flag.String("pace", "timer", "timer | gc (as the harness probe paces its samples) | gc-reset")
	flag.Parse()
	if *work != "alloc" && *work != "cpu" || *read != "wake" && *read != "memstats" && *read != "metrics" && *read != "sample" ||
		*blocks < 4 || *blocks%4 != 0 || *rounds < 1 || *interval <= 0 || *live < 0 || *pace != "timer" && *pace != "gc" && *pace != "gc-reset" {
		fmt.Fprintln(os.Stderr, "readcost: bad flags (see -help)")
		os.Exit(2)
	}
	keep = make([]*node, *live)

	r := &reader{what: *read, start: time.Now()}
	if *pace != "timer" {
		r.gc = &gcPacer{reset: *pace == "gc-reset"}
	}
	for _, n := range probeMetrics {
		r.samples = append(r.samples, metrics.Sample{Name: n})
	}
	if *read == "sample" {
		f, err := os.CreateTemp("", "leaklab-readcost-*.jsonl")
		if err != nil {
			fmt.Fprintln(os.Stderr, "readcost:", err)
			os.Exit(1)
		}
		defer os.Remove(f.Name())
		defer f.Close()
		r.out = f
	}
	ctl, ack := make(chan bool), make(chan struct{})
	go r.run(*interval, ctl, ack)
	set := func(on bool) {
		ctl <- on
		<-ack
	}
	n := 0
	do := func() {
		if *work == "alloc" {
			allocWork(*rounds, n)
			n += *rounds
		} else {
			cpuWork(*rounds)
		}
	}

	// Warm up: the live heap reaches its steady size, the reader runs a few times.
	set(true)
	for i := 0; i < 4; i++ {
		do()
	}
	set(false)
	r.mu.Lock()
	callersFrom := len(r.callers)
	r.mu.Unlock()

	var offMs, perOn, groups, pcts []float64
	var gOn, gOff, gReads float64 // the current group of four blocks
	state := false
	for b := 0; b < *blocks; b++ {
		on := b%4 == 0 || b%4 == 3
		if on != state {
			set(on)
			state = on
		}
		n0 := r.reads.Load()
		t0 := time.Now()
		do()
		d := float64(time.Since(t0).Nanoseconds()) / 1e6
		if on {
			k := float64(r.reads.Load() - n0)
			perOn = append(perOn, k)
			gOn, gReads = gOn+d, gReads+k
		} else {
			offMs = append(offMs, d)
			gOff += d
		}
		if b%4 == 3 {
			if gReads > 0 {
				groups = append(groups, (gOn-gOff)*1e3/gReads)
			}
			pcts = append(pcts, 100*(gOn/gOff-1))
			gOn, gOff, gReads = 0, 0, 0
		}
	}
	set(false)
	close(ctl)
	for range ack {
	}

	r.mu.Lock()
	callerUs := median(r.callers[callersFrom:]) / 1e3
	r.mu.Unlock()
	res := result{Work: *work, Read: *read, Pace: *pace, IntervalMs: float64(*interval) / 1e6, Blocks: *blocks,
		BlockMs: median(offMs), ReadsPerOn: median(perOn), GroupsUs: groups, GroupsPct: pcts, CallerUs: callerUs}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
}
