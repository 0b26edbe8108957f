// Command pprof_labels serves report and thumbnail requests for several
// tenants, for a while. Each request runs under pprof labels naming its route
// and tenant, and hands its work to a shared pool of workers (jobs.go). With
// -pprof it also serves net/http/pprof on a free port of 127.0.0.1 and
// prints the address.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof" // the /debug/pprof/ handlers, on the default mux
	"os"
	"runtime/pprof"
	"time"
)

var tenants = []string{"acme", "globex", "initech", "umbrella", "hooli"}

// dispatch receives request n: it runs under labels that name its route and
// tenant, and hands its work to the pool.
func dispatch(p *pool, n int) {
	route, tenant := "/thumbnail", tenants[n%len(tenants)]
	if n%4 == 0 {
		route = "/report"
	}
	pprof.Do(context.Background(), pprof.Labels("route", route, "tenant", tenant), func(ctx context.Context) {
		p.submit(ctx, job{route: route, tenant: tenant})
	})
}

func main() {
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 200, "requests per second")
	withPprof := flag.Bool("pprof", false, "serve net/http/pprof on 127.0.0.1")
	flag.Parse()
	if *rate <= 0 {
		fmt.Fprintln(os.Stderr, "usage: pprof_labels -rate N -duration D [-pprof]")
		os.Exit(2)
	}
	if *withPprof {
		ln, err := net.Listen("tcp", "127.0.0.1:0") // loopback only
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("pprof at http://%s/debug/pprof/\n", ln.Addr())
		go http.Serve(ln, nil)
	}
	p := newPool(8)
	start, n := time.Now(), 0
	for time.Since(start) < *duration {
		dispatch(p, n)
		n++
		if next := start.Add(time.Duration(n) * time.Second / time.Duration(*rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	p.close()
	fmt.Printf("served %d requests\n", n)
}
