// Pattern: one patrickmn/go-cache per tenant, created on first use and kept in a map that
// nothing ever prunes. A cache made with a cleanup interval runs a janitor goroutine until the
// cache is garbage collected (a finalizer stops it); kept in the map, no cache ever is: one
// janitor per tenant seen, and their count grows with the traffic.
// expect: leak
// category: library, timer
// site: github.com/patrickmn/go-cache.(*janitor).Run | select | any
// evidence: lib_gocache_per_tenant_kept.evidence.md

package main

import (
	"fmt"
	"time"

	"github.com/patrickmn/go-cache"
)

var tenants = map[string]*cache.Cache{}

func quota(tenant string) int {
	c, ok := tenants[tenant]
	if !ok {
		c = cache.New(time.Minute, 50*time.Millisecond) // BUG: never removed from tenants
		tenants[tenant] = c
	}
	n, err := c.IncrementInt("requests", 1)
	if err != nil {
		c.Set("requests", 1, cache.DefaultExpiration)
		n = 1
	}
	return n
}

func main() {
	for i := 0; i < 60; i++ { // a new tenant every 25 ms (trial sign-ups)
		quota(fmt.Sprint("tenant-", i))
		time.Sleep(25 * time.Millisecond)
	}
	fmt.Println(len(tenants), "tenants")
}
