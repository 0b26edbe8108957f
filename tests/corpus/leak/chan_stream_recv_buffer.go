// Pattern: gRPC transport stream read (GoKer grpc#1275): the reader goroutine waits on
// the stream's receive buffer; CloseStream marks the stream done but never pushes the
// terminating message, so the reader never wakes. The caller only waits a bounded time.
// expect: leak
// category: channel
// site: main.main.func1 | chan receive | proven

package main

import (
	"fmt"
	"time"
)

type recvBuffer struct{ c chan []byte }

type stream struct {
	buf  *recvBuffer
	done bool
}

func (s *stream) Read() []byte { return <-s.buf.c }

func (s *stream) CloseStream() { s.done = true } // BUG: should send io.EOF into buf

func main() {
	s := &stream{buf: &recvBuffer{c: make(chan []byte, 1)}}
	donec := make(chan struct{})
	go func() {
		s.Read()
		close(donec)
	}()
	s.CloseStream()
	select {
	case <-donec:
	case <-time.After(50 * time.Millisecond):
		fmt.Println("reader still blocked, giving up")
	}
}
