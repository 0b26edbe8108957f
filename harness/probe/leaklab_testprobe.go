// Injected into a package's test binary by `python -m harness check --test`, next to
// leaklab_testrun.go, in the package's internal test package only: it records the start of the
// suite and captures its end state from the runtime's exit hook, which runs when the test
// binary's main calls os.Exit after the tests (passed or failed). The hook's types are a copy of
// internal/runtime/exithook's, checked against the toolchain before each build exactly as for
// leaklab_exithook.go (harness/build.py: exit_hook_mismatch); it needs -ldflags=-checklinkname=0.

package main

import (
	leaklabbytes "bytes"
	leaklabos "os"
	leaklabruntime "runtime"
	leaklabmetrics "runtime/metrics"
	leaklabpprof "runtime/pprof"
	leaklabstrconv "strconv"
	leaklabtime "time"
	_ "unsafe" // for go:linkname
)

// leaklabHook has the layout of internal/runtime/exithook.Hook.
type leaklabHook struct {
	F            func()
	RunOnFailure bool
}

//go:linkname leaklabAddExitHook internal/runtime/exithook.Add
func leaklabAddExitHook(h leaklabHook)

func init() {
	if leaklabTestOut == nil {
		return
	}
	// The suite's starting point: the live heap after the package's own initialisation.
	leaklabruntime.GC()
	leaklabTestProfile("heap", "heap-start.pb.gz", 0)
	leaklabTestEvent("suite", "")
	leaklabAddExitHook(leaklabHook{F: leaklabTestEnd, RunOnFailure: true})
}

// leaklabTestEnd runs once, when the tests are over: it lets goroutines that are merely
// finishing finish, then dumps every goroutine with its labels after the leak-detecting GC
// (Go 1.27's goroutineleak profile marks those proven blocked forever), and the heap.
func leaklabTestEnd() {
	leaklabTestEvent("tests_done", "")
	settle := 500 * leaklabtime.Millisecond
	if ms, err := leaklabstrconv.Atoi(leaklabos.Getenv("LEAKLAB_SETTLE_MS")); err == nil && ms >= 0 {
		settle = leaklabtime.Duration(ms) * leaklabtime.Millisecond
	}
	leaklabTestSettle(settle)
	if leaklabpprof.Lookup("goroutineleak") != nil {
		leaklabTestProfile("goroutineleak", "goroutines.txt", 2) // runs the leak-detecting GC first
	} else {
		leaklabruntime.GC()
		leaklabTestProfile("goroutine", "goroutines.txt", 2)
	}
	leaklabTestEvent("final", "")
	leaklabTestProfile("heap", "heap.pb.gz", 0)
	leaklabTestEvent("exit", "")
	leaklabTestOut.Close()
}

func leaklabTestProfile(name, file string, debug int) {
	p := leaklabpprof.Lookup(name)
	if p == nil {
		return
	}
	f, err := leaklabos.Create(leaklabos.Getenv("LEAKLAB_TEST_DIR") + "/" + file)
	if err != nil {
		return
	}
	defer f.Close()
	p.WriteTo(f, debug)
}

// leaklabTestSettle waits, at most max, until the goroutine count has not changed for 50 ms and
// no goroutine but the caller runs, is runnable or sleeps: a goroutine that is about to end or to
// block is then not reported half-way.
func leaklabTestSettle(max leaklabtime.Duration) {
	deadline := leaklabtime.Now().Add(max)
	last, stable := leaklabruntime.NumGoroutine(), leaklabtime.Now()
	for last > 1 && leaklabtime.Now().Before(deadline) {
		leaklabtime.Sleep(5 * leaklabtime.Millisecond)
		if n := leaklabruntime.NumGoroutine(); n != last {
			last, stable = n, leaklabtime.Now()
		} else if leaklabtime.Since(stable) >= 50*leaklabtime.Millisecond && !leaklabTestBusy() {
			return
		}
	}
}

var leaklabTestSched = []leaklabmetrics.Sample{{Name: "/sched/goroutines/running:goroutines"},
	{Name: "/sched/goroutines/runnable:goroutines"}}

func leaklabTestBusy() bool {
	leaklabmetrics.Read(leaklabTestSched)
	if r, q := leaklabTestSched[0].Value, leaklabTestSched[1].Value; r.Kind() == leaklabmetrics.KindUint64 &&
		q.Kind() == leaklabmetrics.KindUint64 && (r.Uint64() > 1 || q.Uint64() > 0) {
		return true
	}
	buf := make([]byte, 64<<10)
	for {
		n := leaklabruntime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		if len(buf) >= 16<<20 {
			return false // too many goroutines to look at cheaply: do not wait
		}
		buf = make([]byte, 2*len(buf))
	}
	blocks := leaklabbytes.Split(buf, []byte("\n\n"))
	for _, b := range blocks[1:] { // blocks[0] is the caller
		hdr, _, _ := leaklabbytes.Cut(b, []byte("\n"))
		if leaklabbytes.Contains(hdr, []byte("[sleep")) || leaklabbytes.Contains(hdr, []byte("[running")) ||
			leaklabbytes.Contains(hdr, []byte("[runnable")) {
			return true
		}
	}
	return false
}
