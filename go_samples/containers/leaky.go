package main

import "io"

// leaky serves the five parts of a session.
type leaky struct{}

// flush writes the queued frames and empties the queue for the next ones.
func (leaky) flush(s *session, w io.Writer) {
	for _, f := range s.out {
		w.Write(f.data)
	}
	s.out = s.out[:0]
}

// finish takes upload i off the list of uploads in progress.
func (leaky) finish(s *session, i int) {
	s.uploads = append(s.uploads[:i], s.uploads[i+1:]...)
}

// login reads the request body and keeps the token at its start.
func (leaky) login(s *session, body io.Reader) {
	b, _ := io.ReadAll(body)
	s.token = b[:16]
}

// complete forgets a call that got its answer.
func (leaky) complete(s *session, id uint64) {
	delete(s.calls, id)
}

// leave is called when the client stops reading its events.
func (leaky) leave(s *session) {
	close(s.events)
}
