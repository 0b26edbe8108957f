package main

import "runtime"

// leaky closes the descriptor of a conn its caller forgot to Close, with
// a finalizer.
type leaky struct{}

func (leaky) open(size int, cycle bool) *conn {
	c := dial(size, cycle)
	// The GC keeps alive everything a finalizer's object points to, so
	// the finalizer can use it. Through c.r.c that includes c itself: a
	// cycle with a finalizer is never collected and never finalized.
	runtime.SetFinalizer(c, func(c *conn) { closeFD(c.fd) })
	return c
}
