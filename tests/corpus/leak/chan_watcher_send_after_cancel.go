// Pattern: etcd/Kubernetes watch fan-out: the watcher goroutine delivers events on an
// unbuffered channel without selecting on its stop channel, so once the client cancels
// and stops reading, run() blocks on the send forever.
// expect: leak
// category: channel
// site: main.(*watcher).run | chan send | proven

package main

import "fmt"

type event struct{ rev int }

type watcher struct {
	events chan event
	stop   chan struct{}
}

func (w *watcher) run(src []event) {
	for _, ev := range src {
		w.events <- ev // BUG: no select on w.stop
	}
	close(w.events)
}

func watch(src []event) *watcher {
	w := &watcher{events: make(chan event), stop: make(chan struct{})}
	go w.run(src)
	return w
}

func (w *watcher) Cancel() { close(w.stop) }

func main() {
	for i := 0; i < 3; i++ {
		w := watch([]event{{1}, {2}, {3}, {4}})
		ev := <-w.events
		fmt.Println("first event", ev.rev, "- cancelling")
		w.Cancel()
	}
}
