package main

import "runtime"

// captures uses a cleanup that also releases the reader's buffer.
type captures struct{}

func (captures) open(size int, cycle bool) *conn {
	c := dial(size, cycle)
	r := c.r
	// The closure holds r, and r.c is c: c is reachable from its own
	// cleanup, so it is never collected and the cleanup never runs.
	// (A closure holding c itself makes AddCleanup panic.)
	runtime.AddCleanup(c, func(fd int) { r.buf = nil; closeFD(fd) }, c.fd)
	return c
}
