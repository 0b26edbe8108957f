package main

import (
	"runtime"
	"sync/atomic"
)

// session is one client's state; buf is its large part (an upload, say).
type session struct {
	id     int
	buf    []byte
	closed bool
}

// registry finds open sessions by id. A package-level variable is a GC
// root: everything reachable from it stays in memory.
var registry = map[int]*session{}

// freed counts what the GC has collected. A cleanup runs some time after
// its object became unreachable; it is the program's view of the GC.
var freed struct{ sessions, buffers atomic.Int64 }

func open(id, size int) *session {
	s := &session{id: id, buf: make([]byte, size)}
	registry[id] = s
	// The cleanups get the id, never s: a cleanup that can reach its own
	// object keeps that object alive forever.
	runtime.AddCleanup(s, func(int) { freed.sessions.Add(1) }, id)
	runtime.AddCleanup(&s.buf[0], func(int) { freed.buffers.Add(1) }, id)
	return s
}

// handle stands for the work a request does with its session.
func handle(s *session) int {
	n := 0
	for i := 0; i < len(s.buf); i += 4096 {
		s.buf[i] = byte(s.id)
		n += int(s.buf[i])
	}
	return n
}
