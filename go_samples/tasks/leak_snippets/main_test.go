package main

import (
	"bytes"
	"runtime/pprof"
	"strings"
	"testing"
	"time"
)

// leaked counts the goroutines the goroutineleak profile marks as leaked
// whose stack holds fn (e.g. "waitAll.func1").
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

// Every snippet leaves its goroutines behind; the profile proves only some.
func TestWhatTheProfileProves(t *testing.T) {
	const n = 20
	for _, c := range []struct {
		name, fn string
		proven   bool
	}{
		{"waitgroup", "waitAll.func1", true},
		{"ctx-request", "watchRequest.func1", true},
		{"ctx-session", "watchSession.func1", false},
		{"registry", "subscribe.func1", false},
		{"poll", "poll.func1", false},
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
