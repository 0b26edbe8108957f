// Package jobs runs the shop's background jobs: functions called at a fixed
// interval for as long as the shop runs.
package jobs

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Stats counts the runs of one job.
type Stats struct {
	Runs     atomic.Int64
	Failures atomic.Int64
}

// Scheduler runs jobs until Stop.
type Scheduler struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	stats  map[string]*Stats
}

// New returns a scheduler with no jobs.
func New() *Scheduler {
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{ctx: ctx, cancel: cancel, stats: make(map[string]*Stats)}
}

// Every runs job every interval until Stop, never two runs of it at once. The
// job's context is cancelled by Stop.
func (s *Scheduler) Every(name string, interval time.Duration, job func(ctx context.Context) error) {
	st := &Stats{}
	s.mu.Lock()
	s.stats[name] = st
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-t.C:
				st.Runs.Add(1)
				if err := job(s.ctx); err != nil {
					st.Failures.Add(1)
				}
			}
		}
	}()
}

// Names lists the jobs; Stats returns the counts of one.
func (s *Scheduler) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.stats))
	for n := range s.stats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *Scheduler) Stats(name string) *Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats[name]
}

// Stop cancels the jobs and waits for the runs in progress to end.
func (s *Scheduler) Stop() {
	s.cancel()
	s.wg.Wait()
}
