package main

import "runtime"

// fixed closes the descriptor of a conn its caller forgot to Close, with
// a cleanup.
type fixed struct{}

func (fixed) open(size int, cycle bool) *conn {
	c := dial(size, cycle)
	// A cleanup gets only c.fd, never c: the GC need not keep anything
	// reachable from c, so the cycle is collected and the cleanup runs.
	runtime.AddCleanup(c, closeFD, c.fd)
	return c
}
