package main

import "sync"

// leaky serves four kinds of request with helper goroutines and a shared lock.
type leaky struct{}

// total adds nums up on a helper goroutine that reports the sum when asked.
func (leaky) total(nums []int) int {
	add, sum := make(chan int), make(chan int)
	go leaky{}.adder(add, sum)
	for _, n := range nums {
		add <- n
	}
	return <-sum
}

func (leaky) adder(add <-chan int, sum chan<- int) {
	for s := 0; ; {
		select {
		case n := <-add:
			s += n
		case sum <- s:
		}
	}
}

// square has a worker square n; only callers that wait get a reply channel.
func (leaky) square(n int, wait bool) int {
	var reply chan int
	if wait {
		reply = make(chan int, 1)
	}
	go leaky{}.worker(n, reply)
	if !wait {
		return 0
	}
	return <-reply
}

func (leaky) worker(n int, reply chan<- int) {
	reply <- n * n
}

// save writes parts in parallel and returns the first error, or nil.
func (leaky) save(parts []int) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(parts))
	wg.Add(len(parts))
	for _, p := range parts {
		go leaky{}.write(p, &wg, errs)
	}
	go leaky{}.closeWhenDone(&wg, errs)
	return <-errs
}

func (leaky) write(p int, wg *sync.WaitGroup, errs chan<- error) {
	if err := validate(p); err != nil {
		errs <- err
		return
	}
	wg.Done()
}

func (leaky) closeWhenDone(wg *sync.WaitGroup, errs chan error) {
	wg.Wait()
	close(errs)
}

// deposit adds amount to an account of the shared bank.
func (leaky) deposit(b *bank, acct string, amount int) error {
	b.mu.Lock()
	if amount <= 0 {
		return errAmount
	}
	b.balance[acct] += amount
	b.mu.Unlock()
	return nil
}
