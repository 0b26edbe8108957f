// Command heapgrowth serves requests that each keep a session, in a leaky
// variant (sessions are never removed) or a fixed one, for a while.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof" // /debug/pprof/heap, served only with -pprof
	"os"
	"time"
)

// variant is what leaky.go and fixed.go each implement.
type variant interface {
	handle(id, size int) int
}

var variants = map[string]variant{"leaky": leaky{}, "fixed": fixed{}}

// load serves rate requests per second until duration is over.
func load(v variant, size, rate int, duration time.Duration) int {
	start, n := time.Now(), 0
	for time.Since(start) < duration {
		v.handle(n, size)
		n++
		if next := start.Add(time.Duration(n) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	return n
}

func main() {
	name := flag.String("variant", "leaky", "leaky or fixed")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 200, "requests per second")
	size := flag.Int("size", 16<<10, "bytes of state per session")
	serve := flag.Bool("pprof", false, "serve net/http/pprof on 127.0.0.1 (a free port)")
	flag.Parse()
	v, ok := variants[*name]
	if !ok || *rate <= 0 || *size < 0 {
		fmt.Fprintln(os.Stderr, "usage: heapgrowth -variant leaky|fixed -rate N -size BYTES -duration D [-pprof]")
		os.Exit(2)
	}
	if *serve {
		ln, err := net.Listen("tcp", "127.0.0.1:0") // loopback only, any free port
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("pprof: http://%s/debug/pprof/\n", ln.Addr())
		go http.Serve(ln, nil)
	}
	n := load(v, *size, *rate, *duration)
	fmt.Printf("%s: served %d requests, %d sessions kept\n", *name, n, len(sessions))
}
