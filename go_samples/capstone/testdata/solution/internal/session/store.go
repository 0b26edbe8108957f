// Package session keeps each shopper's session: the cart, and when they were
// last seen. A session that has not been used for the store's time to live
// is removed, cart and all.
package session

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Item is a product in a cart, with its quantity.
type Item struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// Session is one shopper's state. Its methods are safe for concurrent use.
type Session struct {
	ID string

	mu    sync.Mutex
	cart  []Item
	seen  time.Time
	gen   uint64      // incremented on every use
	timer *time.Timer // ends the session; replaced on every use
}

// Add puts qty more of sku in the cart and returns the number of lines.
func (s *Session) Add(sku string, qty int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.cart {
		if s.cart[i].SKU == sku {
			s.cart[i].Qty += qty
			return len(s.cart)
		}
	}
	s.cart = append(s.cart, Item{SKU: sku, Qty: qty})
	return len(s.cart)
}

// Remove takes sku out of the cart.
func (s *Session) Remove(sku string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cart = slices.DeleteFunc(s.cart, func(it Item) bool { return it.SKU == sku })
}

// Cart returns a copy of the cart's lines.
func (s *Session) Cart() []Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cart)
}

// Clear empties the cart after an order.
func (s *Session) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cart = nil
}

// Store holds the sessions by id.
type Store struct {
	ttl      time.Duration
	mu       sync.Mutex
	sessions map[string]*Session
	started  atomic.Int64
	expired  atomic.Int64
}

// NewStore returns a store whose sessions end after ttl without use.
func NewStore(ttl time.Duration) *Store {
	return &Store{ttl: ttl, sessions: make(map[string]*Session)}
}

// Touch returns the session with the given id, started if there is none,
// and moves its end to ttl from now.
func (st *Store) Touch(id string) *Session {
	st.mu.Lock()
	s, ok := st.sessions[id]
	if !ok {
		s = &Session{ID: id}
		st.sessions[id] = s
		st.started.Add(1)
	}
	st.mu.Unlock()

	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = time.Now()
	s.gen++
	gen := s.gen
	if s.timer != nil {
		s.timer.Stop() // the earlier end is cancelled, not left pending for a whole ttl
	}
	s.timer = time.AfterFunc(st.ttl, func() { st.expire(s, gen) })
	return s
}

// expire removes s unless it was used again after the use numbered gen.
func (st *Store) expire(s *Session, gen uint64) {
	s.mu.Lock()
	stale := s.gen == gen
	s.mu.Unlock()
	if !stale {
		return
	}
	st.mu.Lock()
	if st.sessions[s.ID] == s {
		delete(st.sessions, s.ID)
		st.expired.Add(1)
	}
	st.mu.Unlock()
}

// Len is the number of live sessions.
func (st *Store) Len() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.sessions)
}

// Started and Expired count the sessions begun and those ended for want of use.
func (st *Store) Started() int64 { return st.started.Load() }
func (st *Store) Expired() int64 { return st.expired.Load() }
