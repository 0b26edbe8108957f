// Pattern: Moby containerWait (GoKer moby#33293): the wait goroutine reports its error
// on an unbuffered channel, but the caller only reads it on the failure path.
// expect: leak
// category: channel, main-returns-immediately
// site: main.containerWait.func1 | chan send | proven

package main

import (
	"errors"
	"fmt"
)

func waitExit(id int) error {
	if id%2 == 0 {
		return errors.New("container not running")
	}
	return nil
}

func containerWait(id int) (<-chan struct{}, <-chan error) {
	done := make(chan struct{})
	errC := make(chan error)
	go func() {
		if err := waitExit(id); err != nil {
			errC <- err
			return
		}
		close(done)
	}()
	return done, errC
}

func main() {
	for id := 0; id < 4; id++ {
		done, _ := containerWait(id) // BUG: errC is dropped
		select {
		case <-done:
			fmt.Println("container", id, "exited")
		default:
			fmt.Println("container", id, "still running")
		}
	}
}
