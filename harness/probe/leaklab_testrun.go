// Injected into a package's test binary by `python -m harness check --test` (harness/testcheck.py)
// through `go test -c -overlay`, with its package clause set to the test package's (a copy goes
// into the external _test package too). Nothing on disk changes.
//
// Each top-level TestX of the package is renamed leaklabT_TestX in an overlay copy of its file
// (on its own line: no position moves) and a generated TestX calls leaklabRunTest, which labels
// the test's goroutine with the pprof label leaklab.test=TestX. Every goroutine it starts
// inherits the label, and theirs in turn, so the goroutine dump taken when the suite ends (Go
// 1.27 prints labels in it) names the test that started each goroutine still alive, t.Parallel
// or not. It also writes one sample line at each test's start and end.
//
// It starts no goroutine and keeps none: goleak in the package's own tests sees nothing of it.
// Standard library only; imports are renamed so that no name of the package can clash with them.

package main

import (
	leaklabcontext "context"
	leaklabos "os"
	leaklabruntime "runtime"
	leaklabmetrics "runtime/metrics"
	leaklabpprof "runtime/pprof"
	leaklabstrconv "strconv"
	leaklabsync "sync"
	leaklabtesting "testing"
	leaklabtime "time"
)

// leaklabTestLabel is the pprof label key; harness/testcheck.py reads it from the dump.
const leaklabTestLabel = "leaklab.test"

var leaklabTestOut = leaklabOpenTestOut()

var leaklabTestMu leaklabsync.Mutex

// leaklabTestMetrics: the runtime/metrics read at each boundary, with their JSON keys.
var leaklabTestMetrics = [][2]string{
	{"/gc/heap/live:bytes", "heap_live"},
	{"/memory/classes/heap/objects:bytes", "heap_object_bytes"},
	{"/memory/classes/heap/stacks:bytes", "stack_bytes"},
	{"/gc/cycles/total:gc-cycles", "gc_cycles"},
	{"/gc/heap/allocs:bytes", "alloc_bytes"},
}

var leaklabTestSamples = func() []leaklabmetrics.Sample {
	s := make([]leaklabmetrics.Sample, len(leaklabTestMetrics))
	for i, m := range leaklabTestMetrics {
		s[i].Name = m[0]
	}
	return s
}()

func leaklabOpenTestOut() *leaklabos.File {
	dir := leaklabos.Getenv("LEAKLAB_TEST_DIR")
	if dir == "" {
		return nil // built with the probe but run outside the harness: do nothing
	}
	// O_APPEND: the internal and the external test package each hold their own copy of this file.
	f, err := leaklabos.OpenFile(dir+"/tests.jsonl", leaklabos.O_WRONLY|leaklabos.O_CREATE|leaklabos.O_APPEND, 0o600)
	if err != nil {
		return nil
	}
	return f
}

// leaklabTestEvent writes one line: the event, the test, the wall clock (ns) and the samples.
func leaklabTestEvent(event, test string) {
	if leaklabTestOut == nil {
		return
	}
	leaklabTestMu.Lock()
	defer leaklabTestMu.Unlock()
	leaklabmetrics.Read(leaklabTestSamples)
	b := make([]byte, 0, 256)
	b = append(b, `{"event":"`...)
	b = append(b, event...)
	b = append(b, `","test":`...)
	b = leaklabstrconv.AppendQuote(b, test)
	b = append(b, `,"ns":`...)
	b = leaklabstrconv.AppendInt(b, leaklabtime.Now().UnixNano(), 10)
	b = append(b, `,"goroutines":`...)
	b = leaklabstrconv.AppendInt(b, int64(leaklabruntime.NumGoroutine()), 10)
	for i, s := range leaklabTestSamples {
		if s.Value.Kind() == leaklabmetrics.KindUint64 {
			b = append(b, `,"`...)
			b = append(b, leaklabTestMetrics[i][1]...)
			b = append(b, `":`...)
			b = leaklabstrconv.AppendUint(b, s.Value.Uint64(), 10)
		}
	}
	b = append(b, "}\n"...)
	leaklabTestOut.Write(b) // one write per line: lines of parallel tests never interleave
}

// leaklabRunTest runs the test's own function f under the label leaklab.test=name. A test that
// calls another test's function directly keeps its own label.
func leaklabRunTest(t *leaklabtesting.T, name string, f func(*leaklabtesting.T)) {
	if leaklabTestOut == nil || t.Name() != name {
		f(t)
		return
	}
	leaklabpprof.SetGoroutineLabels(leaklabpprof.WithLabels(leaklabcontext.Background(),
		leaklabpprof.Labels(leaklabTestLabel, name)))
	leaklabTestEvent("start", name)
	// Registered first, so it runs last: after the test's own cleanups and its subtests.
	t.Cleanup(func() { leaklabTestEvent("end", name) })
	f(t)
}
