// Pattern: a request-scoped cache built with hashicorp/golang-lru/v2's expirable LRU, thrown
// away after the request. A TTL makes NewLRU start a goroutine with a ticker that deletes
// expired entries; its done channel is never closed (the source says so: "done channel is
// never closed, so deleteExpired() goroutine will never exit"), and the goroutine keeps the
// cache alive. One more goroutine, and one more cache, per request.
// expect: leak
// category: library, timer, heap
// site: github.com/hashicorp/golang-lru/v2/expirable.NewLRU[...].func1 | select | any
// evidence: lib_lru_expirable_per_request.evidence.md

package main

import (
	"fmt"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

func render(user int) string {
	seen := expirable.NewLRU[int, []byte](128, nil, time.Minute) // BUG: one per request
	for i := 0; i < 64; i++ {
		seen.Add(i, make([]byte, 512))
	}
	return fmt.Sprint("page for ", user, ": ", seen.Len(), " fragments")
}

func main() {
	n := 0
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); n++ {
		render(n)
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println(n, "pages")
}
