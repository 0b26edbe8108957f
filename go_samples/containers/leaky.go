package main

import "io"

// leaky leaves five kinds of container holding on to what they no longer use.
type leaky struct{}

// flush writes the queued frames and empties the queue for the next ones.
func (leaky) flush(s *session, w io.Writer) {
	for _, f := range s.out {
		w.Write(f.data)
	}
	s.out = s.out[:0] // length 0, but the array still points at every frame
}

// finish takes upload i off the list of uploads in progress.
func (leaky) finish(s *session, i int) {
	// The tail moves left; the slot it leaves keeps its old pointer.
	s.uploads = append(s.uploads[:i], s.uploads[i+1:]...)
}

// login reads the request body and keeps the token at its start.
func (leaky) login(s *session, body io.Reader) {
	b, _ := io.ReadAll(body)
	s.token = b[:16] // shares b's array: the whole body stays alive
}

// complete forgets a call that got its answer.
func (leaky) complete(s *session, id uint64) {
	delete(s.calls, id) // an emptied map keeps the memory it grew to
}

// leave is called when the client stops reading its events.
func (leaky) leave(s *session) {
	close(s.events) // no more sends; what is queued stays in the buffer
}
