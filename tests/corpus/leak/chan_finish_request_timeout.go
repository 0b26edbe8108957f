// Pattern: Kubernetes apiserver finishRequest (GoKer kubernetes#5316): the handler
// goroutine reports on unbuffered channels, but the caller already left through its
// timeout case, so every slow request leaves one goroutine blocked on send.
// expect: leak
// category: channel, main-returns-immediately
// site: main.finishRequest.func1 | chan send | proven

package main

import (
	"errors"
	"fmt"
	"time"
)

func finishRequest(timeout time.Duration, fn func() (string, error)) (string, error) {
	ch := make(chan string)
	errCh := make(chan error)
	go func() {
		res, err := fn()
		if err != nil {
			errCh <- err
		} else {
			ch <- res
		}
	}()
	select {
	case res := <-ch:
		return res, nil
	case err := <-errCh:
		return "", err
	case <-time.After(timeout):
		return "", errors.New("request did not complete within allowed duration")
	}
}

func main() {
	for i := 0; i < 4; i++ {
		_, err := finishRequest(5*time.Millisecond, func() (string, error) {
			time.Sleep(20 * time.Millisecond)
			return "ok", nil
		})
		fmt.Println("request", i, err)
	}
}
