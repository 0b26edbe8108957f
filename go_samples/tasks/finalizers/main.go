// Command finalizers uploads through spools (spool.go): callers close a
// quarter of them and forget the rest. Then it forces collections, waits
// for the safety net, and prints one JSON line: how many files are still
// open and whether any was closed twice.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// files simulates the operating system's descriptor table.
var files struct {
	sync.Mutex
	next, written int
	open          map[int]bool
	closed, twice int
}

func openFD() int {
	files.Lock()
	defer files.Unlock()
	if files.open == nil {
		files.open = map[int]bool{}
	}
	files.next++
	files.open[files.next] = true
	return files.next
}

func writeFD(fd, n int) {
	files.Lock()
	defer files.Unlock()
	if files.open[fd] {
		files.written += n
	}
}

func closeFD(fd int) {
	files.Lock()
	defer files.Unlock()
	if !files.open[fd] {
		files.twice++
		return
	}
	delete(files.open, fd)
	files.closed++
}

// result is what one run found.
type result struct {
	Spools      int    `json:"spools"`
	ClosedByUs  int    `json:"closed_by_caller"`
	Opened      int    `json:"files_opened"`
	Forgotten   int    `json:"files_forgotten"`
	StillOpen   int    `json:"files_still_open"`
	ClosedTwice int    `json:"closed_twice"`
	LiveHeap    uint64 `json:"live_heap"`
}

// run opens n spools of chunks files, writes every chunk, and closes only
// every fourth spool.
func run(n, chunks, size int) result {
	payload := make([]byte, size)
	closed := 0
	for i := range n {
		sp := newSpool(chunks, size)
		for _, c := range sp.chunks {
			c.write(payload)
		}
		if i%4 == 0 {
			sp.Close()
			closed++
		}
	}
	live := collect()
	files.Lock()
	defer files.Unlock()
	return result{Spools: n, ClosedByUs: closed, Opened: files.next, Forgotten: (n - closed) * chunks,
		StillOpen:   len(files.open),
		ClosedTwice: files.twice, LiveHeap: live}
}

// collect runs full collections until the safety net stops closing files
// (finalizers and cleanups run on their own goroutine, after a GC), and
// returns the live heap the last GC measured.
func collect() uint64 {
	last, still := -1, time.Now()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		files.Lock()
		n := files.closed + files.twice
		files.Unlock()
		if n != last {
			last, still = n, time.Now()
		} else if time.Since(still) > 100*time.Millisecond {
			break
		}
	}
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func main() {
	n := flag.Int("spools", 1000, "spools to open")
	chunks := flag.Int("chunks", 4, "chunk files per spool")
	size := flag.Int("size", 4<<10, "bytes of buffer per chunk")
	flag.Parse()
	if *n <= 0 || *chunks <= 0 || *size <= 0 {
		fmt.Fprintln(os.Stderr, "usage: finalizers -spools N -chunks N -size BYTES")
		os.Exit(2)
	}
	json.NewEncoder(os.Stdout).Encode(run(*n, *chunks, *size))
}
