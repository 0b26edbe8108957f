// Pattern: a package-level cache keyed by request/session ID with no eviction (the
// classic "map as cache" leak seen in Hugo, Prometheus exporters and many API servers).
// Live heap grows with traffic for as long as the server runs.
// expect: leak
// category: heap
// duration: 3
// heap: growing

package main

import (
	"fmt"
	"time"
)

type session struct {
	id    string
	token [512]byte
	seen  time.Time
}

var sessions = map[string]*session{} // BUG: entries are never deleted

func handle(n int) {
	id := fmt.Sprintf("sess-%d", n)
	sessions[id] = &session{id: id, seen: time.Now()}
}

func main() {
	for n := 0; ; n++ {
		handle(n)
		if n%200 == 0 {
			time.Sleep(10 * time.Millisecond) // ~20k requests/s
		}
	}
}
