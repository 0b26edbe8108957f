package main

import (
	"maps"
	"os"
	"runtime"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m) // no case may leave a goroutine behind either
}

var cases = []string{"reslice", "delete", "subslice", "map", "chanbuf"}

// liveHeap is the heap still reachable after a full collection.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC() // sync.Pool caches survive one cycle
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// perSession serves 400 sessions, keeping each as the server does, and
// returns how much live heap each one holds once it is idle.
func perSession(v variant, which string) int64 {
	sessions = nil
	before := liveHeap()
	for range 400 {
		s := &session{}
		serve(v, which, s)
		sessions = append(sessions, s)
	}
	return (liveHeap() - before) / 400
}

// An idle fixed session holds a few hundred bytes; a leaky one 20-50 KiB.
const limit = 2 << 10

func TestFixedSessionsStaySmall(t *testing.T) {
	for _, c := range cases {
		b := perSession(fixed{}, c)
		t.Logf("case %-8s %6d bytes per idle session", c, b)
		if b > limit {
			t.Errorf("case %s: %d bytes per idle session", c, b)
		}
	}
}

func TestLeakyIsCaught(t *testing.T) {
	for _, c := range cases {
		b := perSession(leaky{}, c)
		t.Logf("case %-8s %6d bytes per idle session", c, b)
		if b < limit {
			t.Errorf("case %s: only %d bytes per idle session; expected a leak", c, b)
		}
	}
}

// kept is package-level, like the session store: what it holds stays reachable.
var kept []map[uint64]call

// TestMapMemory shows what a map keeps: full, after deleting every key,
// after clear, cloned, and a new map in its place. It logs; the lab prints it.
func TestMapMemory(t *testing.T) {
	const n, keys = 1000, 512
	kept = make([]map[uint64]call, n)
	base := liveHeap()
	per := func() int64 { return (liveHeap() - base) / n }
	for i := range kept {
		kept[i] = map[uint64]call{}
		for k := range uint64(keys) {
			kept[i][k] = call{}
		}
	}
	full := per()
	for _, m := range kept {
		for k := range m {
			delete(m, k)
		}
	}
	deleted := per()
	for _, m := range kept {
		for k := range uint64(keys) {
			m[k] = call{}
		}
		clear(m)
	}
	cleared := per()
	for i, m := range kept {
		kept[i] = maps.Clone(m)
	}
	cloned := per()
	for i := range kept {
		kept[i] = map[uint64]call{}
	}
	fresh := per()
	kept = nil
	t.Logf("%s, %d maps of map[uint64]call, %d keys each (40 bytes a key+value):", runtime.Version(), n, keys)
	t.Logf("  full            %7d bytes per map", full)
	t.Logf("  every key gone  %7d bytes per map", deleted)
	t.Logf("  after clear(m)  %7d bytes per map", cleared)
	t.Logf("  maps.Clone(m)   %7d bytes per map", cloned)
	t.Logf("  a new map       %7d bytes per map", fresh)
	if fresh >= deleted {
		t.Errorf("a new map (%d B) should be smaller than an emptied one (%d B)", fresh, deleted)
	}
}

// TestExercise checks your exercise.go; the lab's check cell runs it.
func TestExercise(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("set LEAKLAB_CHECK_EXERCISE=1 to check exercise.go")
	}
	for _, c := range cases {
		if b := perSession(exercise{}, c); b > limit {
			t.Errorf("case %s: %d bytes per idle session", c, b)
		}
	}
}
