package main

import (
	"slices"
	"testing"
	"time"
)

// reset empties the registry and zeroes the counters between tests.
func reset(t *testing.T) {
	clear(registry)
	collect()
	freed.sessions.Store(0)
	freed.buffers.Store(0)
	named.Lock()
	named.freed = nil
	named.Unlock()
	t.Cleanup(func() { clear(registry); collect() })
}

const size = 64 << 10

func TestLeakyKeepsEverySession(t *testing.T) {
	reset(t)
	before := collect()
	n := serve(leaky{}, 1000, size, 100*time.Millisecond)
	s := snapshot("end")
	t.Logf("%d sessions: %d registered, %d freed, live heap +%d bytes", n, s.Registered, s.Sessions, s.LiveHeap-before)
	if s.Registered != n || s.Sessions != 0 || s.Buffers != 0 {
		t.Errorf("leaky: %d registered, %d sessions and %d buffers freed; want %d, 0, 0", s.Registered, s.Sessions, s.Buffers, n)
	}
	if grew := s.LiveHeap - before; grew < uint64(n*size) {
		t.Errorf("leaky: live heap grew %d bytes, less than the %d buffers hold", grew, n*size)
	}
}

func TestFixedFreesEverySession(t *testing.T) {
	reset(t)
	before := collect()
	n := serve(fixed{}, 1000, size, 100*time.Millisecond)
	s := snapshot("end")
	t.Logf("%d sessions: %d registered, %d freed, live heap %+d bytes", n, s.Registered, s.Sessions, int64(s.LiveHeap)-int64(before))
	if s.Registered != 0 || s.Sessions != int64(n) || s.Buffers != int64(n) {
		t.Errorf("fixed: %d registered, %d sessions and %d buffers freed; want 0, %d, %d", s.Registered, s.Sessions, s.Buffers, n, n)
	}
	if s.LiveHeap > before+size {
		t.Errorf("fixed: live heap grew from %d to %d bytes", before, s.LiveHeap)
	}
}

func TestChainIsFreedLinkByLink(t *testing.T) {
	reset(t)
	var steps []step
	chainDemo(16, 1<<20, func(s step) { steps = append(steps, s) })
	want := [][3]int64{{0, 0, 0}, {16, 0, 0}, {16, 0, 16}, {0, 16, 16}} // registered, sessions, buffers freed
	for i, s := range steps {
		got := [3]int64{int64(s.Registered), s.Sessions, s.Buffers}
		t.Logf("%-36s live heap %9d, registered/sessions/buffers freed %v", s.Name, s.LiveHeap, got)
		if got != want[i] {
			t.Errorf("step %q: registered/sessions/buffers freed = %v, want %v", s.Name, got, want[i])
		}
	}
	if held, after := steps[1].LiveHeap, steps[2].LiveHeap; held-after < 15<<20 {
		t.Errorf("cutting session→buffer freed only %d bytes", held-after)
	}
}

func TestRootsKeepOnlyWhatIsStillUsed(t *testing.T) {
	reset(t)
	var steps []step
	rootsDemo(func(s step) { steps = append(steps, s) })
	want := [][]string{
		nil,
		{"local, past last use", "stack, unused later"},
		{"global var", "local, past last use", "stack, unused later"},
		{"global var", "local, past last use", "stack, unused later", "stack, used later"},
	}
	for i, s := range steps {
		got := slices.Sorted(slices.Values(s.Freed))
		t.Logf("%-20s live heap %9d, freed %q", s.Name, s.LiveHeap, got)
		if !slices.Equal(got, want[i]) {
			t.Errorf("step %q: freed %q, want %q", s.Name, got, want[i])
		}
	}
}
