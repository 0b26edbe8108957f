// Command comparison_leak is a chat room, the task of lab 22: a leak you
// have not seen before. Each request opens a session that subscribes to
// the room's broadcasts and forwards them to its client through a 16 kB
// write buffer, on a goroutine of its own, until it is unsubscribed.
package main

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"time"
)

// hub is the room: every subscriber's channel, by session id.
type hub struct {
	mu   sync.Mutex
	subs map[int]chan string
}

var room = &hub{subs: map[int]chan string{}}

func (h *hub) subscribe(id int) chan string {
	ch := make(chan string, 1)
	h.mu.Lock()
	h.subs[id] = ch
	h.mu.Unlock()
	return ch
}

func (h *hub) unsubscribe(id int) {
	h.mu.Lock()
	if ch, ok := h.subs[id]; ok {
		close(ch)
		delete(h.subs, id)
	}
	h.mu.Unlock()
}

// forward copies each broadcast into the client's buffer until ch closes.
func forward(ch <-chan string, buf []byte) {
	for msg := range ch {
		copy(buf, msg)
	}
}

// session serves one client's short visit.
func session(id int, variant string) {
	ch := room.subscribe(id)
	go forward(ch, make([]byte, 16<<10))
	if variant == "fixed" {
		defer room.unsubscribe(id)
	}
	time.Sleep(time.Millisecond) // the visit
}

func main() {
	variant := flag.String("variant", "leaky", "leaky or fixed")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 200, "sessions per second")
	flag.Parse()
	if (*variant != "leaky" && *variant != "fixed") || *rate <= 0 {
		fmt.Fprintln(os.Stderr, "usage: comparison_leak -variant leaky|fixed -rate N -duration D")
		os.Exit(2)
	}
	start, n := time.Now(), 0
	for time.Since(start) < *duration {
		session(n, *variant)
		n++
		time.Sleep(time.Until(start.Add(time.Duration(n) * time.Second / time.Duration(*rate))))
	}
	fmt.Printf("%s: served %d sessions\n", *variant, n)
}
