// Pattern: a config reloader that makes a new fsnotify watcher on every reload and forgets
// to Close the previous one. Each watcher holds an inotify file descriptor and a goroutine
// reading it ((*inotify).readEvents, in IO wait) until Close: open files and goroutines grow
// by one per reload.
// expect: leak
// category: library, fds
// site: github.com/fsnotify/fsnotify.(*inotify).readEvents | select | any
// evidence: lib_fsnotify_watcher_per_reload.evidence.md

package main

import (
	"fmt"
	"os"
	"time"

	"github.com/fsnotify/fsnotify"
)

func watch(dir string) *fsnotify.Watcher {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		panic(err)
	}
	if err := w.Add(dir); err != nil {
		panic(err)
	}
	return w
}

func main() {
	dir, _ := os.MkdirTemp("", "corpus-fsnotify-")
	defer os.RemoveAll(dir)
	var w *fsnotify.Watcher
	for i := 0; i < 40; i++ { // a reload every 35 ms
		w = watch(dir) // BUG: the previous watcher is never closed
		time.Sleep(35 * time.Millisecond)
	}
	fmt.Println("watching", dir, w != nil)
}
