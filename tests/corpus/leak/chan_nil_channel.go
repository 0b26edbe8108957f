// Pattern: Docker/Moby components whose channel field is only made by a constructor that
// one code path bypasses (zero-value struct): the loop then receives from, and the
// notifier sends to, a nil channel — blocked forever by definition.
// expect: leak
// category: channel, main-returns-immediately
// site: main.(*monitor).loop | chan receive (nil chan) | proven
// site: main.(*monitor).notify | chan send (nil chan) | proven

package main

import "fmt"

type monitor struct {
	updates chan string // nil unless built with newMonitor
}

func newMonitor() *monitor { return &monitor{updates: make(chan string, 1)} }

func (m *monitor) loop() {
	for u := range m.updates {
		fmt.Println("update", u)
	}
}

func (m *monitor) notify(s string) { m.updates <- s }

func main() {
	good := newMonitor()
	good.notify("ok")
	close(good.updates)
	good.loop()

	bad := &monitor{} // BUG: bypasses newMonitor
	go bad.loop()
	go bad.notify("restart")
}
