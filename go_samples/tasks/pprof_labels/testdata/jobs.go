package main

import (
	"context"
	"sync"
)

// job is the work of one request.
type job struct {
	route, tenant string
}

// pool runs jobs on a fixed set of worker goroutines, started once.
type pool struct {
	jobs chan job
	done sync.WaitGroup
}

func newPool(workers int) *pool {
	p := &pool{jobs: make(chan job, 64)}
	for range workers {
		p.done.Go(p.work)
	}
	return p
}

// submit hands j to a worker; ctx is the request's context.
func (p *pool) submit(ctx context.Context, j job) {
	p.jobs <- j
}

func (p *pool) work() {
	for j := range p.jobs {
		j.run()
	}
}

// close lets the workers finish the jobs handed to them, then end.
func (p *pool) close() {
	close(p.jobs)
	p.done.Wait()
}
