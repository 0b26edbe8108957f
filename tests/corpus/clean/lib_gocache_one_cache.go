// Look-alike: one patrickmn/go-cache for the whole program, with a cleanup interval, so its
// janitor goroutine (github.com/patrickmn/go-cache.(*janitor).Run) runs for the life of the
// cache and is still waiting in its select when main returns. goleak reports it; it is the
// cache's worker, one per cache, and nothing grows.
// expect: clean
// category: library, timer
// evidence: lib_gocache_one_cache.evidence.md

package main

import (
	"fmt"
	"time"

	"github.com/patrickmn/go-cache"
)

var sessions = cache.New(200*time.Millisecond, 50*time.Millisecond)

func login(user int) {
	sessions.Set(fmt.Sprint("session-", user), make([]byte, 1024), cache.DefaultExpiration)
}

func main() {
	for i := 0; i < 60; i++ {
		login(i)
		time.Sleep(25 * time.Millisecond)
	}
	fmt.Println(sessions.ItemCount(), "live sessions")
}
