package main

import (
	"crypto/sha256"
	"slices"
	"sync"
)

// hub keeps, per tenant, the channels of the clients watching its updates.
type hub struct {
	mu       sync.Mutex
	watchers map[string][]chan []byte
}

func newHub() *hub { return &hub{watchers: map[string][]chan []byte{}} }

func (h *hub) subscribe(tenant string, ch chan []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.watchers[tenant] = append(h.watchers[tenant], ch)
}

// unsubscribe removes ch from the tenant's watchers and closes it.
func (h *hub) unsubscribe(tenant string, ch chan []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.watchers[tenant] = slices.DeleteFunc(h.watchers[tenant], func(c chan []byte) bool { return c == ch })
	close(ch)
}

// rank scores documents for a query: the CPU-heavy part of a search.
func rank(q string, docs int) int {
	best := 0
	for i := range docs {
		sum := sha256.Sum256([]byte(q + string(rune('a'+i%26))))
		if int(sum[0]) > best {
			best = int(sum[0])
		}
	}
	return best
}

// render builds an export: a large response that is garbage once sent.
func render(tenant string, size int) []byte {
	out := make([]byte, 0, size)
	for len(out) < size {
		out = append(out, tenant...)
	}
	return out
}
