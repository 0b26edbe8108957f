// A small service with net/http/pprof for benchmarks/testcheck_watch.py: what `harness watch`
// costs a service. It sends itself -rate requests per second (the same load whether it is
// watched or not) and keeps -objects small live objects, so that a GC has a heap to mark.
// With -leaky every request also leaves a goroutine blocked forever and keeps 16 kB.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sync"
	"time"
)

var (
	leaky   = flag.Bool("leaky", false, "leak a goroutine and 16 kB per request")
	rate    = flag.Int("rate", 100, "requests per second the service sends itself (0: none)")
	objects = flag.Int("objects", 200000, "small live objects kept for the whole run")
	mu      sync.Mutex
	kept    [][]byte
)

type node struct {
	next *node
	val  [4]int64
}

var live *node

func handle(w http.ResponseWriter, r *http.Request) {
	buf := make([]byte, 4<<10) // some work and garbage per request
	for i := range buf {
		buf[i] = byte(i)
	}
	if *leaky {
		ch := make(chan int)
		go func() { <-ch }()
		mu.Lock()
		kept = append(kept, make([]byte, 16<<10))
		mu.Unlock()
	}
	fmt.Fprintln(w, "ok", len(buf))
}

func load(addr string) {
	client := &http.Client{Timeout: 5 * time.Second}
	tick := time.NewTicker(time.Second / time.Duration(*rate))
	for range tick.C {
		resp, err := client.Get("http://" + addr + "/work")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
}

func main() {
	flag.Parse()
	for i := 0; i < *objects; i++ {
		live = &node{next: live}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	http.HandleFunc("/work", handle)
	fmt.Printf("http://%s\n", ln.Addr())
	if *rate > 0 {
		go load(ln.Addr().String())
	}
	http.Serve(ln, nil)
}
