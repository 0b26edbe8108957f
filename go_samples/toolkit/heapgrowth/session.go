package main

// session is the state one request keeps while it is served.
type session struct {
	id    int
	state []byte
}

// sessions holds the sessions of requests in flight.
var sessions = map[int]*session{}

// newSession allocates the state a request keeps (size bytes): the heap
// profile names this line, since allocation sites, not owners, are recorded.
func newSession(id, size int) *session {
	return &session{id: id, state: make([]byte, size)}
}

// render builds a response in a scratch buffer that is garbage right after:
// it makes the heap grow between collections without leaking anything.
// (128 KiB is too big for the stack, so it is allocated on the heap.)
func render(s *session) int {
	scratch := make([]byte, 128<<10)
	for i := range scratch {
		scratch[i] = byte(i + s.id)
	}
	sum := 0
	for _, b := range scratch[:256] {
		sum += int(b)
	}
	return sum + len(s.state)
}
