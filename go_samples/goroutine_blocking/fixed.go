package main

import "sync"

// fixed serves four kinds of request with helper goroutines and a shared lock.
type fixed struct{}

// total adds nums up on a helper goroutine that reports the sum when asked.
func (fixed) total(nums []int) int {
	add, sum, done := make(chan int), make(chan int), make(chan struct{})
	defer close(done) // however total returns, adder hears about it
	go fixed{}.adder(add, sum, done)
	for _, n := range nums {
		add <- n
	}
	return <-sum
}

func (fixed) adder(add <-chan int, sum chan<- int, done <-chan struct{}) {
	for s := 0; ; {
		select {
		case n := <-add:
			s += n
		case sum <- s:
		case <-done:
			return
		}
	}
}

// square has a worker square n; only callers that wait get a reply channel.
func (fixed) square(n int, wait bool) int {
	var reply chan int
	if wait {
		reply = make(chan int, 1)
	}
	go fixed{}.worker(n, reply)
	if !wait {
		return 0
	}
	return <-reply
}

func (fixed) worker(n int, reply chan<- int) {
	if reply != nil { // nobody asked for the answer: do not send it
		reply <- n * n
	}
}

// save writes parts in parallel and returns the first error, or nil.
func (fixed) save(parts []int) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(parts))
	wg.Add(len(parts))
	for _, p := range parts {
		go fixed{}.write(p, &wg, errs)
	}
	go fixed{}.closeWhenDone(&wg, errs)
	return <-errs
}

func (fixed) write(p int, wg *sync.WaitGroup, errs chan<- error) {
	defer wg.Done() // on every return path
	if err := validate(p); err != nil {
		errs <- err
		return
	}
}

func (fixed) closeWhenDone(wg *sync.WaitGroup, errs chan error) {
	wg.Wait()
	close(errs)
}

// deposit adds amount to an account of the shared bank.
func (fixed) deposit(b *bank, acct string, amount int) error {
	b.mu.Lock()
	defer b.mu.Unlock() // on every return path
	if amount <= 0 {
		return errAmount
	}
	b.balance[acct] += amount
	return nil
}
