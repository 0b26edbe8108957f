package main

func answer(i int) int { return i * i }

// unreachable: the caller gave up and dropped ch, so no goroutine that can
// still run can reach ch: the GC can prove the send will never happen.
func unreachable(i int) {
	ch := make(chan int)
	go func() { ch <- answer(i) }()
}

// fixed: a buffer of one lets the send complete with nobody receiving.
func fixed(i int) {
	ch := make(chan int, 1)
	go func() { ch <- answer(i) }()
}

// inbox is reachable from a global for the life of the program.
var inbox = make(chan int)

// global: nobody will ever send on inbox, but the GC cannot know that:
// a reachable channel might still be used.
func global(int) {
	go func() { <-inbox }()
}

// closure: v is captured, so the send reads it from the closure object,
// and the runtime's record of the blocked send points there. That object
// also holds ch, which makes ch look reachable.
func closure(v int) {
	ch := make(chan int)
	go func() { ch <- v }()
}

// closureCopy: the same closure, but the value is copied to a local first,
// so the send reads it from the goroutine's stack.
func closureCopy(v int) {
	ch := make(chan int)
	go func() {
		x := v
		ch <- x
	}()
}

// param: the same goroutine with v passed as an argument: the value sent
// lives on the goroutine's own stack, which the leak check does not scan.
func param(v int) {
	ch := make(chan int)
	go func(v int) { ch <- v }(v)
}
