package main

// The functions in pointers.go, captured.go and buffers.go are the
// catalogue of the escape-analysis notebook. Most are marked noinline so
// that each is compiled, and measured, on its own: once a function is
// inlined, the caller's code decides where its values go.

type point struct{ x, y int }

// p is used and dropped inside the call: it lives in the frame.
//
//go:noinline
func onStack() int {
	p := point{1, 2}
	return p.x + p.y
}

// &p outlives the call, so p cannot live in the frame.
//
//go:noinline
func returnsPointer() *point {
	p := point{1, 2}
	return &p
}

// The caller gets a copy: nothing outlives the call.
//
//go:noinline
func returnsValue() point {
	p := point{1, 2}
	return p
}

// newPoint returns &p like returnsPointer, but it may be inlined.
func newPoint() *point {
	p := point{1, 2}
	return &p
}

// Inlined here, newPoint's p only has to live as long as this frame.
//
//go:noinline
func readsNewPoint() int {
	return newPoint().x
}
