package main

import (
	"runtime"
	"sync"
	"weak"
)

// image is expensive to make (decoded once) and shared by all who ask.
type image struct {
	key int
	pix []byte
}

type cache interface {
	get(key int) *image // nil on a miss
	put(key int, v *image)
	len() int
}

// strongCache keeps every image it was given, for good.
type strongCache struct{ m map[int]*image }

func (c *strongCache) get(key int) *image    { return c.m[key] }
func (c *strongCache) put(key int, v *image) { c.m[key] = v }
func (c *strongCache) len() int              { return len(c.m) }

// weakCache finds an image while someone else still holds it, and lets
// the GC take it once nobody does.
type weakCache struct {
	mu sync.Mutex
	m  map[int]weak.Pointer[image]
}

func (c *weakCache) get(key int) *image {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key].Value() // nil once the image was collected
}

func (c *weakCache) put(key int, v *image) {
	w := weak.Make(v)
	c.mu.Lock()
	c.m[key] = w
	c.mu.Unlock()
	// Drop the dead entry after the GC took v, unless key was put again.
	runtime.AddCleanup(v, func(key int) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.m[key] == w {
			delete(c.m, key)
		}
	}, key)
}

func (c *weakCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
