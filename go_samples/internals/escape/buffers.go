package main

// A size the compiler knows and a slice that does not leave: in the frame.
//
//go:noinline
func constantSize() int {
	buf := make([]byte, 64)
	buf[0] = 1
	return len(buf)
}

// The size is known only at run time. The compiler reserves a small buffer
// in the frame and uses the heap only when n does not fit in it.
//
//go:noinline
func unknownSize(n int) int {
	buf := make([]byte, n)
	buf[0] = 1
	return len(buf)
}

// Too large for a frame, even though the size is a constant.
//
//go:noinline
func tooLarge() int {
	buf := make([]byte, 1<<20)
	buf[0] = 1
	return len(buf)
}

// The receiver may keep &p for as long as it likes.
//
//go:noinline
func sendPointer(ch chan<- *point) {
	p := point{1, 2}
	ch <- &p
}

// The channel gets a copy of p.
//
//go:noinline
func sendValue(ch chan<- point) {
	p := point{1, 2}
	ch <- p
}
