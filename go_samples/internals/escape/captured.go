package main

import "fmt"

var last any

// An interface holds a pointer to its value; kept in a global, that value
// must be on the heap.
//
//go:noinline
func intoInterface(n int) { last = n }

// fmt takes ...any, and what it does with them is not visible here.
//
//go:noinline
func viaFmt(n int) string { return fmt.Sprint(n) }

// The returned func keeps n: n and the closure outlive the call.
//
//go:noinline
func closureEscapes() func() int {
	n := 0
	return func() int { n++; return n }
}

// The func literal is only called here, so it and total stay in the frame.
//
//go:noinline
func closureStays(xs []int) int {
	total := 0
	add := func(x int) { total += x }
	for _, x := range xs {
		add(x)
	}
	return total
}
