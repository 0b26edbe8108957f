package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// openFiles counts this process's open file descriptors.
func openFiles(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd here: the counts need Linux")
	}
	return len(entries)
}

// childProcesses counts this process's children, zombies included.
func childProcesses(t *testing.T) int {
	files, _ := filepath.Glob("/proc/self/task/*/children")
	if len(files) == 0 {
		t.Skip("no /proc/self/task/*/children here: the counts need Linux")
	}
	n := 0
	for _, f := range files {
		b, _ := os.ReadFile(f)
		n += len(strings.Fields(string(b)))
	}
	return n
}

// settle lets the GC close what is unreachable (files have cleanups that close them).
func settle() {
	runtime.GC()
	runtime.GC()
	time.Sleep(100 * time.Millisecond)
}

// held measures what one variant keeps after a little work of each kind:
// file descriptors after 100 fetches (10 of them answered 503), child
// processes after 20 runs of the helper, database connections in use after
// 50 lookups (10 of them disabled users).
func held(t *testing.T, v variant) (fds, kids, inUse int) {
	url, err := upstream(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	helper, err := exec.LookPath("echo")
	if err != nil {
		t.Skip("no echo program here")
	}
	db, err := openDB(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	settle()
	before := openFiles(t)
	for n := range 100 {
		v.fetch(url + "?id=" + strconv.Itoa(n))
	}
	settle()
	fds = openFiles(t) - before
	before = childProcesses(t)
	for n := range 20 {
		v.convert(helper, "job"+strconv.Itoa(n))
	}
	time.Sleep(100 * time.Millisecond)
	kids = childProcesses(t) - before
	var wg sync.WaitGroup
	for id := 1; id <= 50; id++ {
		wg.Go(func() { v.lookup(db, id) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second): // lookups that wait for a connection forever
	}
	return fds, kids, db.Stats().InUse
}

func TestFixedGivesEverythingBack(t *testing.T) {
	fds, kids, inUse := held(t, fixed{})
	t.Logf("open files %+d, child processes %+d, connections in use %d", fds, kids, inUse)
	if fds > 12 || kids > 2 || inUse > 0 {
		t.Errorf("fixed kept %d open files, %d child processes, %d connections in use", fds, kids, inUse)
	}
}

func TestLeakyIsCaught(t *testing.T) {
	fds, kids, inUse := held(t, leaky{})
	t.Logf("open files %+d, child processes %+d, connections in use %d", fds, kids, inUse)
	if fds < 100 || kids < 15 || inUse < 8 {
		t.Errorf("leaky kept only %d open files, %d child processes, %d connections in use", fds, kids, inUse)
	}
}

// TestExercise checks your exercise.go; the lab's check cell runs it.
func TestExercise(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("set LEAKLAB_CHECK_EXERCISE=1 to check exercise.go")
	}
	fds, kids, inUse := held(t, exercise{})
	t.Logf("open files %+d, child processes %+d, connections in use %d", fds, kids, inUse)
	if fds > 12 {
		t.Errorf("fetch: %d more open files after 100 calls: what keeps a connection open?", fds)
	}
	if kids > 2 {
		t.Errorf("convert: %d more child processes after 20 runs: who reaps them?", kids)
	}
	if inUse > 0 {
		t.Errorf("lookup: %d connections still in use after 50 lookups: what holds them?", inUse)
	}
}
