package main

import "runtime"

// spool stages one upload in chunk files until it is committed. Callers
// should Close it; for those who forget, a safety net closes its files
// once the spool is garbage.
type spool struct {
	fds     []int // one descriptor per chunk file, -1 once closed
	chunks  []*chunk
	written int
}

// chunk writes one part of the upload and reports it to its spool.
type chunk struct {
	sp  *spool
	i   int
	buf []byte
}

// newSpool opens a spool of n chunk files with a buffer of size bytes each.
//
// TODO: run the check first. It opens many spools, closes a quarter of
// them, forgets the rest, and counts the files the safety net closed; then
// it runs the same program with GODEBUG=checkfinalizers=1. Make the safety
// net work for every forgotten spool, without closing a file twice.
func newSpool(n, size int) *spool {
	sp := &spool{}
	for i := range n {
		sp.fds = append(sp.fds, openFD())
		sp.chunks = append(sp.chunks, &chunk{sp: sp, i: i, buf: make([]byte, size)})
	}
	runtime.SetFinalizer(sp, (*spool).Close)
	return sp
}

// write stages p in the chunk's buffer and writes it to the chunk's file.
func (c *chunk) write(p []byte) {
	n := copy(c.buf, p)
	writeFD(c.sp.fds[c.i], n)
	c.sp.written += n
}

// Close closes the spool's files. Closing twice is harmless.
func (sp *spool) Close() {
	closeAll(sp.fds)
}

// closeAll closes every descriptor still open and marks it closed.
func closeAll(fds []int) {
	for i, fd := range fds {
		if fd >= 0 {
			closeFD(fd)
			fds[i] = -1
		}
	}
}
