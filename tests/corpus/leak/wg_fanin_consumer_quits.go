// Pattern: fan-in with a closer goroutine (wg.Wait(); close(out)) whose consumer stops
// at the first error: the producers stay blocked on the unbuffered channel, so the
// closer stays blocked in Wait. Seen in scrape/compaction loops (Prometheus, Hugo).
// expect: leak
// category: waitgroup, channel, main-returns-immediately
// site: main.fetchAll.func1 | chan send | proven
// site: main.fetchAll.func2 | sync.WaitGroup.Wait | proven

package main

import (
	"errors"
	"fmt"
	"sync"
)

type result struct {
	target string
	err    error
}

func fetchAll(targets []string) <-chan result {
	out := make(chan result)
	var wg sync.WaitGroup
	for _, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out <- result{t, errors.New("connection refused")}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

func main() {
	for r := range fetchAll([]string{"node1:9100", "node2:9100", "node3:9100"}) {
		if r.err != nil {
			fmt.Println("scrape failed:", r.target, r.err)
			return // BUG: abandons the remaining producers and the closer
		}
	}
}
