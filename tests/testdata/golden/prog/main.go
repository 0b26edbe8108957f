// The program whose output the golden files hold (see ../regenerate.py). Each goroutine it leaves
// behind blocks at a line marked BLOCK:<name>; the tests read those markers for the expected
// line numbers, so moving a line means regenerating.
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

type Pool struct{ jobs chan int }

func (p *Pool) Start() {
	go func() {
		for range p.jobs { // BLOCK:pool
		}
	}()
}

var (
	mu   sync.Mutex
	hold = make(chan int) // a global: reachable, so never proven leaked
	kept [][]byte
	sink []byte
)

//go:noinline
func retain() { kept = append(kept, make([]byte, 1<<20)) }

func worker(in chan int) {
	<-in // BLOCK:worker
}

func main() {
	runtime.MemProfileRate = 1 // every allocation in the heap profile, not a sample of them
	for i := 0; i < 3; i++ {
		go worker(make(chan int))
	}
	(&Pool{jobs: make(chan int)}).Start()
	go func() { make(chan int) <- 1 }() // BLOCK:send
	var nilch chan int
	go func() { <-nilch }() // BLOCK:nil
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { wg.Wait() }() // BLOCK:wg
	mu.Lock()
	go func() { mu.Lock() }()             // BLOCK:mutex
	go func() { <-hold }()                // BLOCK:global
	go func() { time.Sleep(time.Hour) }() // BLOCK:sleep
	go func() {
		select { // BLOCK:select
		case <-make(chan int):
		case <-make(chan int):
		}
	}()
	c := sync.NewCond(&sync.Mutex{})
	go func() {
		c.L.Lock()
		c.Wait() // BLOCK:cond
	}()
	for i := 0; i < 20; i++ {
		retain()
	}
	for i := 0; i < 1500; i++ { // some collections for gctrace
		sink = make([]byte, 64<<10)
	}
	time.Sleep(100 * time.Millisecond)
	if out := os.Getenv("GOLDEN_OUT"); out != "" {
		dump(out+"/goroutine_debug1.txt", 1)
		dump(out+"/goroutine_debug2.txt", 2)
	}
}

func dump(path string, debug int) {
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	pprof.Lookup("goroutine").WriteTo(f, debug)
}
