// Pattern: lock "upgrade" in a cache (Hugo/Kubernetes informer style): a reader holds
// RLock and, on a miss, calls Lock on the same RWMutex; Lock waits for all readers,
// itself included. Readers that arrive later queue behind the pending writer.
// expect: leak
// category: mutex
// site: main.(*cache).Get | sync.RWMutex.Lock | proven
// site: main.(*cache).Peek | sync.RWMutex.RLock | proven

package main

import (
	"fmt"
	"sync"
	"time"
)

type cache struct {
	mu sync.RWMutex
	m  map[string]string
}

func (c *cache) Get(k string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[k]
	if !ok {
		c.mu.Lock() // BUG: upgrade while holding RLock
		c.m[k] = "computed"
		c.mu.Unlock()
	}
	return v
}

func (c *cache) Peek(k string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[k]
}

func main() {
	c := &cache{m: map[string]string{}}
	go c.Get("missing")
	time.Sleep(20 * time.Millisecond)
	go c.Peek("other")
	time.Sleep(20 * time.Millisecond)
	fmt.Println("requests issued")
}
