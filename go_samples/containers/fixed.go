package main

import (
	"bytes"
	"io"
	"slices"
)

// fixed serves the five parts of a session.
type fixed struct{}

// flush writes the queued frames and empties the queue for the next ones.
func (fixed) flush(s *session, w io.Writer) {
	for _, f := range s.out {
		w.Write(f.data)
	}
	clear(s.out) // nil every pointer first, so the frames can be collected
	s.out = s.out[:0]
}

// finish takes upload i off the list of uploads in progress.
func (fixed) finish(s *session, i int) {
	// Since Go 1.22, slices.Delete also zeroes the slot the tail leaves.
	s.uploads = slices.Delete(s.uploads, i, i+1)
}

// login reads the request body and keeps the token at its start.
func (fixed) login(s *session, body io.Reader) {
	b, _ := io.ReadAll(body)
	s.token = bytes.Clone(b[:16]) // 16 bytes of its own: the body can go
}

// complete forgets a call that got its answer.
func (fixed) complete(s *session, id uint64) {
	delete(s.calls, id)
	if len(s.calls) == 0 {
		s.calls = map[uint64]call{} // a map never shrinks: start a small one
	}
}

// leave is called when the client stops reading its events.
func (fixed) leave(s *session) {
	close(s.events)
	for range s.events { // receive what is queued: only that frees the buffer
	}
}
