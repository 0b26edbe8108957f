package main

import (
	"bytes"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestFixedLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for i := range 50 {
		fixed(i)
	}
}

func TestUnreachableIsCaught(t *testing.T) {
	before := goleak.IgnoreCurrent()
	for i := range 50 {
		unreachable(i)
	}
	if err := goleak.Find(before); err == nil {
		t.Fatal("goleak found no leaked goroutine")
	}
}

// leaked counts the goroutines the goroutineleak profile marks as leaked
// whose stack holds fn (e.g. "param.func1").
func leaked(t *testing.T, fn string) int {
	t.Helper()
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutineleak").WriteTo(&buf, 2); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range strings.Split(buf.String(), "\n\n") {
		head, _, _ := strings.Cut(g, "\n")
		if strings.Contains(head, "(leaked)") && strings.Contains(g, "."+fn+"(") {
			n++
		}
	}
	return n
}

// settle gives new goroutines time to reach their blocking point and
// returns the leaked count once it equals want, or after a second.
func settle(t *testing.T, fn string, want int) int {
	t.Helper()
	time.Sleep(100 * time.Millisecond)
	deadline := time.Now().Add(time.Second)
	for {
		time.Sleep(20 * time.Millisecond)
		if got := leaked(t, fn); got == want || time.Now().After(deadline) {
			return got
		}
	}
}

// Every case leaves n goroutines behind for good; the profile proves only some.
func TestLeakProfileSeesOnlySomeCases(t *testing.T) {
	t.Cleanup(func() { ready.Store(true) }) // let the busy loops end
	const n = 50
	for _, c := range []struct {
		name, fn string
		proven   bool
	}{
		{"unreachable", "unreachable.func1", true},
		{"param", "param.func1", true},
		{"closure", "closure.func1", false},
		{"closure-copy", "closureCopy.func1", true},
		{"global", "global.func1", false},
		{"sleep", "Sleep", false},
		{"io", "blockedIO.func1", false},
		{"busy", "busy.func1", false},
		{"ticker", "ticker.func1", false},
		{"tiny-alone", "lockForever.func1", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := leaked(t, c.fn)
			for i := range n {
				cases[c.name](i)
			}
			want := 0
			if c.proven {
				want = n
			}
			if got := settle(t, c.fn, before+want) - before; got != want {
				t.Errorf("%s: %d of %d goroutines proven leaked, want %d", c.name, got, n, want)
			}
		})
	}
}

// A lock in the same 16-byte block as a live object is never proven leaked.
func TestTinyBlockSharedWithLiveDataHidesTheLeak(t *testing.T) {
	const n = 50
	before := leaked(t, "lockForever.func1")
	shared0, _ := sharedLocks()
	for i := range n {
		tinyShared(i)
	}
	shared, _ := sharedLocks()
	packed := shared - shared0
	if packed < n/2 {
		t.Skipf("only %d of %d locks shared a block with a counter", packed, n)
	}
	got := settle(t, "lockForever.func1", before+n-packed) - before
	if got > n-packed {
		t.Errorf("%d proven leaked, but %d of %d locks share a block with live data", got, packed, n)
	}
	t.Logf("%d of %d locks share a block with a live counter; %d proven leaked", packed, n, got)
}
