// Look-alike: one fsnotify watcher for the life of the program and one goroutine of its own
// consuming the watcher's events; main returns without closing the watcher, so its reader
// goroutine ((*inotify).readEvents) and the consumer are still waiting when main returns.
// goleak reports both; there is one watcher, one reader, one descriptor, and nothing grows.
// expect: clean
// category: library, fds
// evidence: lib_fsnotify_one_watcher.evidence.md

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

var reloads atomic.Int32

func main() {
	dir, _ := os.MkdirTemp("", "corpus-fsnotify-")
	defer os.RemoveAll(dir)
	w, err := fsnotify.NewWatcher()
	if err != nil {
		panic(err)
	}
	if err := w.Add(dir); err != nil {
		panic(err)
	}
	go func() {
		for range w.Events {
			reloads.Add(1)
		}
	}()
	for i := 0; i < 40; i++ {
		os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(fmt.Sprint("version: ", i)), 0o644)
		time.Sleep(35 * time.Millisecond)
	}
	fmt.Println(reloads.Load(), "events")
}
