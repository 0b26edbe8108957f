// Pattern: request objects that carry their own reply channel (etcd raft / gRPC
// transport style). The responder goroutine sends the request value, which its closure
// captured by reference, on the request's own reply channel; nobody reads it. Go's
// goroutineleak profile cannot prove this one: the blocked send's element pointer
// (the captured heap variable) keeps the channel reachable.
// expect: leak
// category: channel
// site: main.submit.func1 | chan send | suspect

package main

import "fmt"

type request struct {
	id    int
	reply chan request
}

func submit(id int) request {
	req := request{id: id, reply: make(chan request)}
	go func() {
		req.id *= 10     // the closure writes req: captured by reference
		req.reply <- req // BUG: the caller does not wait for the reply
	}()
	return req
}

func main() {
	for i := 1; i <= 2; i++ {
		r := submit(i)
		fmt.Println("submitted", r.id)
	}
}
