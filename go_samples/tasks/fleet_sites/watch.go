package main

import "sync"

// hub hands out subscriptions to index updates.
type hub struct {
	mu   sync.Mutex
	subs []chan int
}

func (h *hub) subscribe() <-chan int {
	h.mu.Lock()
	defer h.mu.Unlock()
	ch := make(chan int, 1)
	h.subs = append(h.subs, ch)
	return ch
}

// watch follows the updates of query q for the client that asked.
func watch(q int, h *hub) {
	updates := h.subscribe()
	go func() {
		for u := range updates {
			_ = u + q
		}
	}()
}
