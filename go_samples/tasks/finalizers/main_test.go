package main

import (
	"os"
	"testing"
)

// TestSafetyNet is the task's goal: every file of a forgotten spool is
// closed, none twice. It fails as shipped; the lab's check runs it with
// LEAKLAB_CHECK_EXERCISE=1 (and the program with GODEBUG=checkfinalizers=1).
func TestSafetyNet(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("the task as shipped leaks its files; set LEAKLAB_CHECK_EXERCISE=1 to check your spool.go")
	}
	r := run(200, 4, 1024)
	t.Logf("%+v", r)
	if r.StillOpen != 0 || r.ClosedTwice != 0 {
		t.Errorf("%d of %d files still open, %d closed twice; want 0 and 0", r.StillOpen, r.Opened, r.ClosedTwice)
	}
}

// TestCloseClosesEveryFileOnce holds whatever the safety net does: a spool
// its caller closes has all its files closed, once.
func TestCloseClosesEveryFileOnce(t *testing.T) {
	sp := newSpool(3, 16)
	for _, c := range sp.chunks {
		c.write([]byte("hello"))
	}
	files.Lock()
	before, twice := files.closed, files.twice
	files.Unlock()
	sp.Close()
	sp.Close()
	files.Lock()
	defer files.Unlock()
	if files.closed-before != 3 || files.twice != twice {
		t.Errorf("Close twice: %d files closed, %d closed twice; want 3 and 0", files.closed-before, files.twice-twice)
	}
	if sp.written != 15 {
		t.Errorf("written = %d, want 15", sp.written)
	}
}
