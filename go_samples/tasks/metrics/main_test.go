package main

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"
)

func lines(t *testing.T, out *bytes.Buffer) []logLine {
	var ls []logLine
	dec := json.NewDecoder(out)
	for dec.More() {
		var l logLine
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("a line that is not a logLine: %v", err)
		}
		ls = append(ls, l)
	}
	return ls
}

// TestLoggerStopsAndWritesLines holds whatever the logger logs: it writes a
// line per interval and returns when stop is closed.
func TestLoggerStopsAndWritesLines(t *testing.T) {
	var out bytes.Buffer
	stop, done := make(chan struct{}), make(chan struct{})
	go func() { logMetrics(&out, 10*time.Millisecond, stop); close(done) }()
	time.Sleep(105 * time.Millisecond)
	close(stop)
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("logMetrics did not return after stop was closed")
	}
	if n := len(lines(t, &out)); n < 5 {
		t.Errorf("%d lines in 105 ms at a 10 ms interval, want at least 5", n)
	}
}

// TestLoggerReadsTheNumbers is the task's goal. It fails as shipped; the
// lab's check runs it with LEAKLAB_CHECK_EXERCISE=1 (and the known service).
func TestLoggerReadsTheNumbers(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("the logger as shipped logs no numbers; set LEAKLAB_CHECK_EXERCISE=1 to check your logger.go")
	}
	var out bytes.Buffer
	stop := make(chan struct{})
	go logMetrics(&out, 20*time.Millisecond, stop)
	kept, release := known(4, 20, 200*time.Millisecond)
	close(stop)
	release()
	time.Sleep(30 * time.Millisecond)
	ls := lines(t, &out)
	last := ls[len(ls)-1]
	if last.LiveHeap < uint64(len(kept)*(64<<10)) || last.Goroutines < 20 || last.Stacks == 0 {
		t.Errorf("last line %+v: want live heap >= %d, goroutines >= 20, stacks > 0", last, len(kept)*(64<<10))
	}
}
