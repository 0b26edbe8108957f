package main

import (
	"bytes"
	"os"
	"runtime/pprof"
	"strings"
	"testing"
	"time"
)

// proven counts the goroutines the goroutineleak profile marks as leaked
// whose stack holds first's goroutine.
func proven(t *testing.T) int {
	t.Helper()
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutineleak").WriteTo(&buf, 2); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range strings.Split(buf.String(), "\n\n") {
		head, _, _ := strings.Cut(g, "\n")
		if strings.Contains(head, "(leaked)") && strings.Contains(g, ".first.func1(") {
			n++
		}
	}
	return n
}

func TestFirstAnswers(t *testing.T) {
	if got := first(7, 3); !strings.HasSuffix(got, ":7") {
		t.Errorf("first(7, 3) = %q, want an answer for key 7", got)
	}
}

// first leaves two goroutines per call behind; the lab's task is to make
// the profile prove them (the check sets LEAKLAB_CHECK_EXERCISE).
func TestFirstIsProven(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("provable.go is the learner's task: as shipped, the profile cannot prove its leak")
	}
	before := proven(t)
	for i := range 10 {
		first(i, 3)
	}
	time.Sleep(100 * time.Millisecond)
	deadline := time.Now().Add(time.Second)
	got := 0
	for {
		time.Sleep(20 * time.Millisecond)
		if got = proven(t) - before; got == 20 || time.Now().After(deadline) {
			break
		}
	}
	if got != 20 {
		t.Errorf("%d of 20 goroutines left by first proven leaked, want 20", got)
	}
}
