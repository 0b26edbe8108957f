// Command pprof_practice serves requests on three routes for several tenants,
// in a leaky or a fixed variant, for a while. Each request runs under pprof
// labels naming its route and tenant. With -pprof it also serves
// net/http/pprof on a free port of 127.0.0.1 and prints the address.
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

// variant is what leaky.go and fixed.go each implement.
type variant interface {
	search(ctx context.Context, q string) int
	export(ctx context.Context, tenant string) int
	watch(ctx context.Context, tenant string)
}

var variants = map[string]func() variant{
	"leaky": func() variant { return &leaky{hub: newHub()} },
	"fixed": func() variant { return &fixed{hub: newHub()} },
}

var tenants = []string{"acme", "globex", "initech", "umbrella", "hooli"}

// dispatch runs one request under labels that name its route and tenant: its
// samples in CPU, heap and goroutine profiles carry them, and so do the
// goroutines it starts.
func dispatch(v variant, n int) {
	route, tenant := "/search", tenants[n%len(tenants)]
	switch n % 5 {
	case 1, 2:
		route = "/export"
	case 3:
		route = "/watch"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Millisecond)
	defer cancel()
	pprof.Do(ctx, pprof.Labels("route", route, "tenant", tenant), func(ctx context.Context) {
		switch route {
		case "/search":
			v.search(ctx, tenant)
		case "/export":
			v.export(ctx, tenant)
		case "/watch":
			v.watch(ctx, tenant) // returns when the client goes away (here: after 2 ms)
		}
	})
}

// service is the running service: it lives as long as the program.
var service variant

func main() {
	name := flag.String("variant", "leaky", "leaky or fixed")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 200, "requests per second")
	withPprof := flag.Bool("pprof", false, "serve net/http/pprof on 127.0.0.1")
	flag.Parse()
	mk, ok := variants[*name]
	if !ok || *rate <= 0 {
		fmt.Fprintln(os.Stderr, "usage: pprof_practice -variant leaky|fixed -rate N -duration D [-pprof]")
		os.Exit(2)
	}
	if *withPprof {
		ln, err := net.Listen("tcp", "127.0.0.1:0") // loopback only: profiles are not for the internet
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("pprof at http://%s/debug/pprof/\n", ln.Addr())
		go http.Serve(ln, nil)
	}
	service = mk()
	start, n := time.Now(), 0
	for time.Since(start) < *duration {
		dispatch(service, n)
		n++
		if next := start.Add(time.Duration(n) * time.Second / time.Duration(*rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	fmt.Printf("%s: served %d requests\n", *name, n)
}
