// Pattern: the Kubernetes finishRequest shape (GoKer kubernetes#5316) in a CLI: the
// request times out after 5 ms, main returns, and the backend goroutine is still
// working (150 ms) when main returns; it then blocks forever on its unbuffered send.
// The leak is certain and happens well inside the harness's 500 ms settle budget.
// expect: leak
// category: channel, main-returns-immediately
// site: main.finishRequest.func1 | chan send | proven

package main

import (
	"errors"
	"fmt"
	"time"
)

func finishRequest(timeout time.Duration, fn func() string) (string, error) {
	ch := make(chan string)
	go func() { ch <- fn() }()
	select {
	case r := <-ch:
		return r, nil
	case <-time.After(timeout):
		return "", errors.New("request did not complete within allowed duration")
	}
}

func main() {
	_, err := finishRequest(5*time.Millisecond, func() string {
		time.Sleep(150 * time.Millisecond) // a slow backend call
		return "ok"
	})
	fmt.Println(err)
}
