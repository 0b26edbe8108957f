// Command shopd runs the shop: its HTTP API on 127.0.0.1, the inventory
// service it depends on, and a load generator that sends it production-like
// traffic for -duration. Every -report it prints a dashboard line of the
// shop's metrics ("dash {...}"); at the end, the load generator's counts
// ("loadgen {...}"). Then it shuts everything down and exits.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"goleaklab/samples/capstone/internal/api"
	"goleaklab/samples/capstone/internal/catalog"
	"goleaklab/samples/capstone/internal/inventory"
	"goleaklab/samples/capstone/internal/loadgen"
	"goleaklab/samples/capstone/internal/metrics"
	"goleaklab/samples/capstone/internal/pricing"
)

type options struct {
	duration time.Duration
	rate     int
	sessions int
	products int
	report   time.Duration
	seed     uint64
}

func main() {
	var o options
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long to send traffic")
	flag.IntVar(&o.rate, "rate", 250, "requests per second")
	flag.IntVar(&o.sessions, "sessions", 32, "shoppers at a time")
	flag.IntVar(&o.products, "products", 5000, "products in the catalog")
	flag.DurationVar(&o.report, "report", 500*time.Millisecond, "how often to print a dashboard line (0: never)")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the catalog and of the traffic")
	flag.Parse()
	if o.duration <= 0 || o.rate <= 0 || o.sessions <= 0 || o.products < 100 {
		fmt.Fprintln(os.Stderr, "usage: shopd -duration D -rate N -sessions N -products N (at least 100) -report D")
		os.Exit(2)
	}
	if _, err := run(o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "shopd:", err)
		os.Exit(1)
	}
}

// run starts the inventory and the shop, drives the traffic, prints what it
// saw and stops everything it started.
func run(o options, out io.Writer) (loadgen.Summary, error) {
	cat := catalog.Generate(o.products, o.seed)
	inv, err := inventory.Start(2 * time.Millisecond)
	if err != nil {
		return loadgen.Summary{}, err
	}
	defer inv.Close()

	reg := metrics.New()
	metrics.RegisterProcess(reg)
	reg.Gauge("inventory_connections_open", func() float64 { return float64(inv.OpenConns()) })
	shop := api.New(api.DefaultConfig(cat, pricing.New(inv.URL()), reg))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		shop.Close()
		return loadgen.Summary{}, err
	}
	srv := &http.Server{Handler: shop.Handler(), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "shopd: serving on %s (inventory at %s), %d requests/s for %s\n", base, inv.URL(), o.rate, o.duration)

	sum, err := loadgen.Run(context.Background(), loadgen.Config{
		Target: base, Rate: o.rate, Duration: o.duration, Sessions: o.sessions, Products: o.products,
		Seed: o.seed, Every: o.report, Out: out,
	})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "shopd: shutdown:", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "shopd: serve:", err)
	}
	shop.Close()
	if err != nil {
		return sum, err
	}
	b, _ := json.Marshal(sum)
	fmt.Fprintf(out, "loadgen %s\n", b)
	return sum, nil
}
