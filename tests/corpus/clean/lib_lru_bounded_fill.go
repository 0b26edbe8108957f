// Look-alike: a process-wide hashicorp/golang-lru/v2 cache of 2,000 entries of 16 kB, filled
// from a large key space: the live heap climbs to about 32 MB in the first few hundred
// milliseconds, then stays there while the LRU evicts its oldest entry for each new one.
// A fill that stops, not a leak.
// expect: clean
// category: library, heap
// duration: 4
// evidence: lib_lru_bounded_fill.evidence.md

package main

import (
	"fmt"
	"math/rand"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

func main() {
	cache, err := lru.New[int, []byte](2000)
	if err != nil {
		panic(err)
	}
	hits := 0
	for end := time.Now().Add(2500 * time.Millisecond); time.Now().Before(end); {
		for i := 0; i < 200; i++ {
			k := rand.Intn(1_000_000)
			if _, ok := cache.Get(k); ok {
				hits++
			} else {
				cache.Add(k, make([]byte, 16<<10))
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	fmt.Println("entries:", cache.Len(), "hits:", hits)
}
