package main

import "time"

// shard replicates one part of the index for as long as the instance runs.
type shard struct {
	id   int
	tick *time.Ticker
}

// connect opens the shards one after the other (each takes dial to
// connect) and leaves each one replicating.
func connect(n int, dial time.Duration) {
	for i := range n {
		time.Sleep(dial)
		s := &shard{id: i, tick: time.NewTicker(50 * time.Millisecond)}
		go s.replicate()
	}
}

func (s *shard) replicate() {
	for range s.tick.C {
	}
}
