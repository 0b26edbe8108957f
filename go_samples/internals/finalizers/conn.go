package main

import "sync/atomic"

// conn wraps an operating-system resource (a descriptor, simulated here)
// and a reader that points back at its conn, as many real types do: a
// cycle.
type conn struct {
	fd int
	r  *reader
}

type reader struct {
	c   *conn // back-pointer: conn → reader → conn
	buf []byte
}

// fds counts simulated descriptors: opened by dial, closed by closeFD.
var fds struct{ opened, closed atomic.Int64 }

func dial(size int, cycle bool) *conn {
	c := &conn{fd: int(fds.opened.Add(1))}
	c.r = &reader{buf: make([]byte, size)}
	if cycle {
		c.r.c = c
	}
	return c
}

func closeFD(fd int) { fds.closed.Add(1) }
