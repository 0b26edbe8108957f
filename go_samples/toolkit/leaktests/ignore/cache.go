// Package ignore is a cache with a background sweeper: the kind of
// long-lived goroutine that goleak flags and its options can excuse.
package ignore

import (
	"sync"
	"time"
)

// Cache drops its entries every minute. Its sweeper goroutine runs until
// Close: forgetting Close leaks it, keeping one for the whole process is
// a choice.
type Cache struct {
	mu   sync.Mutex
	m    map[string]string
	stop chan struct{}
}

// New starts the cache and its sweeper.
func New() *Cache {
	c := &Cache{m: map[string]string{}, stop: make(chan struct{})}
	go c.sweep()
	return c
}

func (c *Cache) sweep() {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			c.mu.Lock()
			clear(c.m)
			c.mu.Unlock()
		case <-c.stop:
			return
		}
	}
}

// Put stores a value.
func (c *Cache) Put(k, v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = v
}

// Get returns a stored value.
func (c *Cache) Get(k string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

// Close stops the sweeper.
func (c *Cache) Close() { close(c.stop) }
