package main

// leaky keeps a session for every request in a map and never removes it.
type leaky struct{}

func (leaky) handle(id, size int) int {
	s := newSession(id, size)
	sessions[id] = s
	return render(s)
}
