// Looks like: leak/chan_errgroup_first_error (Wait returns at the first error while
// other workers still report), but the error channel is buffered for every worker, so
// no send can block after Wait has returned.
// expect: clean
// category: channel

package main

import (
	"errors"
	"fmt"
	"time"
)

func runAll(n int) error {
	errc := make(chan error, n) // room for every worker
	for i := 0; i < n; i++ {
		go func() {
			time.Sleep(time.Duration(i) * time.Millisecond)
			errc <- errors.New("shard unavailable")
		}()
	}
	for i := 0; i < n; i++ {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

func main() {
	fmt.Println("first error:", runAll(5))
	time.Sleep(20 * time.Millisecond) // the stragglers finish their buffered sends
}
