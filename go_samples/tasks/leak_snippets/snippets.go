package main

import (
	"context"
	"sync"
	"time"
)

// Five snippets, each leaving one goroutine behind for good per call.

// waitAll waits for workers that were never started.
func waitAll(int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		wg.Wait()
	}()
}

// watchRequest watches a request's context; nobody calls its cancel.
func watchRequest(int) {
	ctx, cancel := context.WithCancel(context.Background())
	_ = cancel
	go func() {
		<-ctx.Done()
	}()
}

// server is the process's root context, alive as long as the program;
// shutdown cancels it when the process stops.
var server, shutdown = context.WithCancel(context.Background())

// watchSession is watchRequest under the server's context.
func watchSession(int) {
	ctx, cancel := context.WithCancel(server)
	_ = cancel
	go func() {
		<-ctx.Done()
	}()
}

// subscribers maps a topic to the channels of its subscribers.
var (
	mu          sync.Mutex
	subscribers = map[int][]chan string{}
)

// subscribe listens on a topic nobody ever publishes to.
func subscribe(topic int) {
	ch := make(chan string)
	mu.Lock()
	subscribers[topic] = append(subscribers[topic], ch)
	mu.Unlock()
	go func() {
		for range ch {
		}
	}()
}

// poll waits for a reply that never comes, or gives up after an hour.
func poll(int) {
	reply := make(chan int)
	go func() {
		select {
		case <-reply:
		case <-time.After(time.Hour):
		}
	}()
}
