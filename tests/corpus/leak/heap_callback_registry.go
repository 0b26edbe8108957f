// Pattern: observer registry where each request subscribes a callback (closing over its
// request state) and never unsubscribes: Kubernetes informer handlers / Syncthing
// event subscriptions added per call instead of once.
// expect: leak
// category: heap
// duration: 3
// heap: growing

package main

import (
	"sync"
	"time"
)

type bus struct {
	mu   sync.Mutex
	subs []func(string)
}

func (b *bus) Subscribe(f func(string)) (unsubscribe func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs = append(b.subs, f)
	i := len(b.subs) - 1
	return func() { b.mu.Lock(); b.subs[i] = nil; b.mu.Unlock() }
}

var events bus

func request(id int) {
	buf := make([]byte, 2048) // per-request state
	_ = events.Subscribe(func(ev string) { copy(buf, ev) })
	// BUG: the returned unsubscribe is dropped
}

func main() {
	for id := 0; ; id++ {
		request(id)
		if id%100 == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
}
