package main

import (
	"runtime"
	"testing"
	"time"
)

// A request leaves one goroutine behind: the replica whose answer came
// second stays blocked on its send. The pool is started once and stays.
func TestOneGoroutineLeftPerRequest(t *testing.T) {
	before := runtime.NumGoroutine()
	const workers, requests = 2, 10
	for range workers {
		go worker(jobs)
	}
	for i := range requests {
		handle(i)
	}
	time.Sleep(50 * time.Millisecond) // the late replicas reach their send
	if left := runtime.NumGoroutine() - before - workers; left != requests {
		t.Fatalf("%d goroutines left by %d requests, want one each", left, requests)
	}
}
