package main

import (
	"bytes"
	"io"
	"maps"
	"sync/atomic"
)

// exercise serves the same five parts of a session as leaky, written another
// way. Run the check cell in labs/06_containers.ipynb before you change
// anything, then fix what it shows and run it again.
//
// TODO: read the check's evidence. Which cases does the Go test name, and how
// many bytes does one idle session hold in each? For each of them, which
// field of the idle session still leads to something big?
type exercise struct{}

// flush writes the queued frames in order, taking each off the front of the
// queue once it is written.
func (exercise) flush(s *session, w io.Writer) {
	for len(s.out) > 0 {
		w.Write(s.out[0].data)
		s.out = s.out[1:]
	}
}

// finish takes upload i off the list of uploads in progress. The order of
// the others does not matter, so the last one takes its place.
func (exercise) finish(s *session, i int) {
	last := len(s.uploads) - 1
	s.uploads[i] = s.uploads[last]
	s.uploads = s.uploads[:last]
}

// login reads the request body and keeps the token: the body without the
// padding that follows it.
func (exercise) login(s *session, body io.Reader) {
	b, _ := io.ReadAll(body)
	s.token = bytes.TrimRight(b, ".")
}

// complete forgets a call that got its answer. Once no call is waiting, the
// table is compacted.
func (exercise) complete(s *session, id uint64) {
	delete(s.calls, id)
	if len(s.calls) == 0 {
		s.calls = maps.Clone(s.calls)
	}
}

// exerciseUnread counts the events that clients left without reading.
var exerciseUnread atomic.Int64

// leave is called when the client stops reading its events.
func (exercise) leave(s *session) {
	close(s.events)
	exerciseUnread.Add(int64(len(s.events)))
}
