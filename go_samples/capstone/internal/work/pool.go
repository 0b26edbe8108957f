// Package work runs the shop's work concurrently: a pool of workers for
// tasks that finish after the request that queued them, and Map, which fans
// one request's calls out and gathers their results.
package work

import (
	"context"
	"sync"
	"sync/atomic"
)

// Pool runs queued tasks on a fixed number of workers.
type Pool struct {
	tasks    chan func(context.Context)
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	once     sync.Once
	done     atomic.Int64
	rejected atomic.Int64
}

// NewPool starts workers goroutines that run the tasks queued with TrySubmit;
// at most queue tasks wait.
func NewPool(workers, queue int) *Pool {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pool{tasks: make(chan func(context.Context), queue), ctx: ctx, cancel: cancel}
	p.wg.Add(workers)
	for range workers {
		go p.worker()
	}
	return p
}

func (p *Pool) worker() {
	defer p.wg.Done()
	for task := range p.tasks {
		task(p.ctx)
		p.done.Add(1)
	}
}

// TrySubmit queues task and reports whether there was room for it. The task
// gets a context that is cancelled when the pool is closed.
func (p *Pool) TrySubmit(task func(ctx context.Context)) bool {
	select {
	case p.tasks <- task:
		return true
	default:
		p.rejected.Add(1)
		return false
	}
}

// Queued is the number of tasks waiting for a worker.
func (p *Pool) Queued() int { return len(p.tasks) }

// Done and Rejected count the tasks run and those refused for want of room.
func (p *Pool) Done() int64     { return p.done.Load() }
func (p *Pool) Rejected() int64 { return p.rejected.Load() }

// Close runs the tasks still queued, then stops the workers; tasks see their
// context cancelled. No task may be submitted after Close.
func (p *Pool) Close() {
	p.once.Do(func() {
		p.cancel()
		close(p.tasks)
		p.wg.Wait()
	})
}
