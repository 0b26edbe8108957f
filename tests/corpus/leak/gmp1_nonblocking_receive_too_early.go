// Pattern: a non-blocking poll for a result right after starting the worker
// (select with default), e.g. a cache warm-up "if ready use it, else skip": with one P
// the worker has not run yet, the default case wins, and the worker's later send on
// the unbuffered channel blocks forever.
// expect: leak
// category: channel, main-returns-immediately
// env: GOMAXPROCS=1
// site: main.warm.func1 | chan send | proven

package main

import "fmt"

func load(key string) string { return "value-of-" + key }

func warm(key string) (string, bool) {
	ch := make(chan string)
	go func() { ch <- load(key) }()
	select {
	case v := <-ch:
		return v, true
	default:
		return "", false // BUG: the worker is abandoned
	}
}

func main() {
	for _, k := range []string{"users", "groups", "roles"} {
		v, ok := warm(k)
		fmt.Println(k, v, ok)
	}
}
