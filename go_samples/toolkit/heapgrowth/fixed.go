package main

// fixed is leaky with the session dropped when its request is over.
type fixed struct{}

func (fixed) handle(id, size int) int {
	s := newSession(id, size)
	sessions[id] = s
	defer delete(sessions, id) // the request is over, and so is its session
	return render(s)
}
