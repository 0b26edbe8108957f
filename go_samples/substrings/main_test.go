package main

import (
	"bufio"
	"os"
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// liveHeap is the heap still reachable after a full GC.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// retained reads n lines, of which n/every are errors, and returns the live
// heap they left behind per kept ID, measured while the IDs are still kept.
func retained(v variant, which string, n, size, every int) float64 {
	in := bufio.NewReaderSize(newLogStream(size, every), size+4096)
	k := &kept{errs: map[string]int{}}
	before := liveHeap()
	for range n {
		k.readLine(v, which, in)
	}
	after := liveHeap()
	runtime.KeepAlive(in)
	runtime.KeepAlive(k)
	return (float64(after) - float64(before)) / float64(n/every)
}

func TestRetainedBytesPerID(t *testing.T) {
	const n, size, every = 2000, 64 << 10, 10
	for _, which := range []string{"string", "bytes"} {
		t.Run(which, func(t *testing.T) {
			leak, fix := retained(leaky{}, which, n, size, every), retained(fixed{}, which, n, size, every)
			t.Logf("%-6s leaky: %7.0f B per kept ID   fixed: %3.0f B per kept ID   (an ID is %d B)", which, leak, fix, idLen)
			if leak < size/2 {
				t.Errorf("leaky keeps %.0f B per ID, expected about one %d B line", leak, size)
			}
			if fix > 256 {
				t.Errorf("fixed keeps %.0f B per ID, expected tens of bytes", fix)
			}
		})
	}
}

func TestNoGoroutinesLeft(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	load(fixed{}, "both", 64<<10, 10, 1000, 50*time.Millisecond)
}

// TestExercise checks your exercise.go; the lab's check cell runs it.
func TestExercise(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("set LEAKLAB_CHECK_EXERCISE=1 to check exercise.go")
	}
	for _, which := range []string{"string", "bytes"} {
		if b := retained(exercise{}, which, 2000, 64<<10, 10); b > 256 {
			t.Errorf("case %s: each kept ID still holds %.0f B (a line is %d B, an ID %d B)", which, b, 64<<10, idLen)
		}
	}
}
