// Pattern: Add/Done mismatch where main itself waits (as in GoKer reproductions such as
// etcd#7492, whose test goroutine blocks in WaitGroup.Wait): wg.Add(len(jobs)) but the loop skips
// disabled jobs without Done. main never returns; the goroutineleak profile proves
// goroutine 1 leaked. (Without the probe, Go would even abort with "all goroutines are
// asleep - deadlock!"; the probe's ticker keeps the runtime from noticing.)
// expect: leak
// category: waitgroup
// duration: 1
// site: main.main | sync.WaitGroup.Wait | proven

package main

import (
	"fmt"
	"sync"
)

type job struct {
	name     string
	disabled bool
}

func main() {
	jobs := []job{{"compact", false}, {"defrag", true}, {"snapshot", false}}
	var wg sync.WaitGroup
	wg.Add(len(jobs))
	for _, j := range jobs {
		if j.disabled {
			continue // BUG: no wg.Done() for skipped jobs
		}
		go func() {
			defer wg.Done()
			fmt.Println("ran", j.name)
		}()
	}
	wg.Wait()
	fmt.Println("all jobs done")
}
