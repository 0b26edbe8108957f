// Pattern: per-request backend goroutine in an HTTP/gRPC proxy: the handler gives up
// after its deadline, the backend goroutine then blocks on an unbuffered result
// channel. A long-running server accumulates them (count grows until the deadline).
// expect: leak
// category: channel
// duration: 1.5
// site: main.handle.func1 | chan send | proven

package main

import "time"

func backend(id int) string {
	time.Sleep(3 * time.Millisecond)
	return "resp"
}

func handle(id int) string {
	res := make(chan string)
	go func() { res <- backend(id) }()
	select {
	case r := <-res:
		return r
	case <-time.After(time.Millisecond):
		return "timeout"
	}
}

func main() {
	for id := 0; ; id++ { // a server: runs until stopped
		handle(id)
		time.Sleep(2 * time.Millisecond)
	}
}
