// Package cache is a small in-memory cache whose entries expire after a fixed
// time to live. A janitor goroutine removes expired entries in the background.
package cache

import (
	"sync"
	"sync/atomic"
	"time"
)

type entry[V any] struct {
	value   V
	expires time.Time
}

// Cache maps keys to values for at most a time to live. It is safe for
// concurrent use. Close stops its janitor.
type Cache[K comparable, V any] struct {
	mu     sync.Mutex
	ttl    time.Duration
	items  map[K]entry[V]
	hits   atomic.Int64
	misses atomic.Int64
	stop   chan struct{}
	done   chan struct{}
}

// New returns a cache whose entries live for ttl; expired entries are swept
// every sweep.
func New[K comparable, V any](ttl, sweep time.Duration) *Cache[K, V] {
	c := &Cache[K, V]{ttl: ttl, items: make(map[K]entry[V]), stop: make(chan struct{}), done: make(chan struct{})}
	go c.janitor(sweep)
	return c
}

// Get returns the value stored for key, if it has not expired.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	e, ok := c.items[key]
	c.mu.Unlock()
	if !ok || time.Now().After(e.expires) {
		c.misses.Add(1)
		var zero V
		return zero, false
	}
	c.hits.Add(1)
	return e.value, true
}

// Set stores value for key for the cache's time to live.
func (c *Cache[K, V]) Set(key K, value V) {
	c.mu.Lock()
	c.items[key] = entry[V]{value: value, expires: time.Now().Add(c.ttl)}
	c.mu.Unlock()
}

// Len is the number of entries, expired ones not yet swept included.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// Hits and Misses count the lookups that found a live entry and those that did not.
func (c *Cache[K, V]) Hits() int64   { return c.hits.Load() }
func (c *Cache[K, V]) Misses() int64 { return c.misses.Load() }

// Close stops the janitor and waits for it.
func (c *Cache[K, V]) Close() {
	close(c.stop)
	<-c.done
}

func (c *Cache[K, V]) janitor(every time.Duration) {
	defer close(c.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case now := <-t.C:
			c.sweep(now)
		}
	}
}

func (c *Cache[K, V]) sweep(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.items {
		if now.After(e.expires) {
			delete(c.items, k)
		}
	}
}
