package main

import "sync"

// exercise starts as a copy of leaky. Make it stop leaking, then run the
// check cell in labs/02_goroutine_blocking.ipynb.
type exercise struct{}

// total adds nums up on a helper goroutine that reports the sum when asked.
func (exercise) total(nums []int) int {
	add, sum := make(chan int), make(chan int)
	go exercise{}.adder(add, sum)
	for _, n := range nums {
		add <- n
	}
	return <-sum
}

// TODO: after total has returned, which case of this select can still fire?
func (exercise) adder(add <-chan int, sum chan<- int) {
	for s := 0; ; {
		select {
		case n := <-add:
			s += n
		case sum <- s:
		}
	}
}

// square has a worker square n; only callers that wait get a reply channel.
func (exercise) square(n int, wait bool) int {
	var reply chan int
	if wait {
		reply = make(chan int, 1)
	}
	go exercise{}.worker(n, reply)
	if !wait {
		return 0
	}
	return <-reply
}

// TODO: what is reply when the caller does not wait, and what does a send on it do?
func (exercise) worker(n int, reply chan<- int) {
	reply <- n * n
}

// save writes parts in parallel and returns the first error, or nil.
func (exercise) save(parts []int) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(parts))
	wg.Add(len(parts))
	for _, p := range parts {
		go exercise{}.write(p, &wg, errs)
	}
	go exercise{}.closeWhenDone(&wg, errs)
	return <-errs
}

// TODO: count the calls to Done on each path through write.
func (exercise) write(p int, wg *sync.WaitGroup, errs chan<- error) {
	if err := validate(p); err != nil {
		errs <- err
		return
	}
	wg.Done()
}

func (exercise) closeWhenDone(wg *sync.WaitGroup, errs chan error) {
	wg.Wait()
	close(errs)
}

// deposit adds amount to an account of the shared bank.
//
// TODO: on which path does deposit return with the lock still held?
func (exercise) deposit(b *bank, acct string, amount int) error {
	b.mu.Lock()
	if amount <= 0 {
		return errAmount
	}
	b.balance[acct] += amount
	b.mu.Unlock()
	return nil
}
