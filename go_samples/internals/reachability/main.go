// Command reachability shows what the GC can and cannot free: it serves
// sessions kept in a global registry (leaky or fixed), or walks through
// two step-by-step demos (chain, roots), printing one JSON line per step.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"
)

type variant interface{ close(s *session) }

var variants = map[string]variant{"leaky": leaky{}, "fixed": fixed{}}

// serve opens, uses and closes rate sessions per second until duration is over.
func serve(v variant, rate, size int, duration time.Duration) int {
	begin, n := time.Now(), 0
	for time.Since(begin) < duration {
		s := open(n, size)
		handle(s)
		v.close(s)
		n++
		if next := begin.Add(time.Duration(n) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	return n
}

func main() {
	mode := flag.String("mode", "serve", "serve, chain or roots")
	name := flag.String("variant", "leaky", "leaky or fixed (serve mode)")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 200, "sessions per second")
	size := flag.Int("size", 32<<10, "bytes of buffer per session")
	pause := flag.Duration("pause", 300*time.Millisecond, "time between demo steps")
	flag.Parse()
	v, ok := variants[*name]
	if !ok || *rate <= 0 || *size <= 0 {
		fmt.Fprintln(os.Stderr, "usage: reachability -mode serve|chain|roots -variant leaky|fixed -rate N -size BYTES -duration D")
		os.Exit(2)
	}
	out := json.NewEncoder(os.Stdout)
	report := func(s step) {
		out.Encode(s)
		time.Sleep(*pause)
	}
	switch *mode {
	case "serve":
		n := serve(v, *rate, *size, *duration)
		s := snapshot(*name + ": end")
		s.Served = n
		out.Encode(s)
	case "chain":
		chainDemo(16, 1<<20, report)
	case "roots":
		rootsDemo(report)
	default:
		fmt.Fprintln(os.Stderr, "unknown -mode", *mode)
		os.Exit(2)
	}
}
