package main

import "sync"

// exercise serves the same four kinds of request as leaky, in other shapes:
// an accumulator goroutine with a request channel, jobs that carry their own
// reply channel, writers counted by a WaitGroup, and deposits made in a
// transaction.
//
// TODO: run the check cell in labs/02_goroutine_blocking.ipynb before you
// change anything. Each kind of stuck goroutine it reports has a wait reason
// and a function: find the line where it waits, then ask which other
// goroutine, on which path, was supposed to let it go on.
type exercise struct{}

// total adds nums up on an accumulator goroutine, then asks it for the sum.
func (exercise) total(nums []int) int {
	acc := exercise{}.start()
	for _, n := range nums {
		acc.add <- n
	}
	reply := make(chan int)
	acc.get <- reply
	return <-reply
}

// exerciseAccumulator is the way in to an accumulator goroutine: numbers go
// in on add, a reply channel on get receives the sum so far, and a close of
// stop ends it.
type exerciseAccumulator struct {
	add  chan int
	get  chan chan int
	stop chan struct{}
}

// start starts an accumulator goroutine.
func (exercise) start() exerciseAccumulator {
	acc := exerciseAccumulator{make(chan int), make(chan chan int), make(chan struct{})}
	go func() {
		sum := 0
		for {
			select {
			case n := <-acc.add:
				sum += n
			case reply := <-acc.get:
				reply <- sum
			case <-acc.stop:
				return
			}
		}
	}()
	return acc
}

// exerciseJob is a number to square and, for a caller that waits, where to
// send the square.
type exerciseJob struct {
	n     int
	reply chan int
}

// square has a worker square n; a caller that waits reads the reply.
func (exercise) square(n int, wait bool) int {
	job := exerciseJob{n: n}
	if wait {
		job.reply = make(chan int, 1)
	}
	go exercise{}.worker(job)
	if !wait {
		return 0
	}
	return <-job.reply
}

func (exercise) worker(job exerciseJob) {
	job.reply <- job.n * job.n
}

// save writes the non-empty parts in parallel and returns the first error,
// or nil once every write is done.
func (exercise) save(parts []int) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(parts))
	wg.Add(len(parts))
	for _, p := range parts {
		if p == 0 {
			continue // nothing to write
		}
		go exercise{}.write(p, &wg, errs)
	}
	go func() {
		wg.Wait()
		close(errs)
	}()
	return <-errs
}

func (exercise) write(p int, wg *sync.WaitGroup, errs chan<- error) {
	defer wg.Done()
	if err := validate(p); err != nil {
		errs <- err
	}
}

// deposit adds amount to an account of the shared bank, in a transaction.
func (exercise) deposit(b *bank, acct string, amount int) error {
	tx := exercise{}.begin(b)
	if err := tx.add(acct, amount); err != nil {
		return err
	}
	tx.commit()
	return nil
}

// exerciseTx is a change to a bank, made while holding its lock.
type exerciseTx struct{ b *bank }

// begin locks the bank for a change.
func (exercise) begin(b *bank) exerciseTx {
	b.mu.Lock()
	return exerciseTx{b}
}

// add adds amount to acct's balance.
func (tx exerciseTx) add(acct string, amount int) error {
	if amount <= 0 {
		return errAmount
	}
	tx.b.balance[acct] += amount
	return nil
}

// commit ends the change and unlocks the bank.
func (tx exerciseTx) commit() {
	tx.b.mu.Unlock()
}
