package main

import (
	"math/rand/v2"
	"time"
)

// run does a job's work.
func (j job) run() {
	if j.route == "/report" {
		j.fetch(time.Millisecond)
		return
	}
	resize(64 << 10)
}

// fetch asks the report store for the job's data, giving up after timeout.
func (j job) fetch(timeout time.Duration) ([]byte, bool) {
	ch := make(chan []byte)
	go func() { ch <- j.query() }()
	select {
	case data := <-ch:
		return data, true
	case <-time.After(timeout):
		return nil, false
	}
}

// query is the report store: it answers in 0-4 ms.
func (j job) query() []byte {
	time.Sleep(time.Duration(rand.IntN(4000)) * time.Microsecond)
	return []byte(j.tenant)
}

// resize stands for a thumbnail's work: size bytes touched.
func resize(size int) int {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(i)
	}
	return int(b[size-1])
}
