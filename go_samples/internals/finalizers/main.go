// Command finalizers opens conns that callers never Close and relies on a
// finalizer (leaky) or a cleanup (fixed) to close their descriptors; in
// cache mode it serves images through a strong or a weak cache. It prints
// JSON lines: what it measured.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"
)

type variant interface {
	open(size int, cycle bool) *conn
}

var variants = map[string]variant{"leaky": leaky{}, "fixed": fixed{}, "captures": captures{}}

// serve opens rate conns per second for duration, uses each once and drops it.
func serve(v variant, rate, size int, cycle bool, duration time.Duration) int {
	begin, n := time.Now(), 0
	for time.Since(begin) < duration {
		c := v.open(size, cycle)
		c.r.buf[0] = byte(n) // the request's work
		n++
		if next := begin.Add(time.Duration(n) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	return n
}

func main() {
	mode := flag.String("mode", "conns", "conns or cache")
	name := flag.String("variant", "leaky", "leaky, fixed or captures (conns mode)")
	cycle := flag.Bool("cycle", true, "reader points back at its conn (conns mode)")
	kind := flag.String("cache", "weak", "strong or weak (cache mode)")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 500, "requests per second")
	size := flag.Int("size", 16<<10, "bytes per conn buffer or image")
	keys := flag.Int("keys", 100000, "distinct image keys (cache mode)")
	inUse := flag.Int("inuse", 64, "images held by requests in flight (cache mode)")
	flag.Parse()
	v, ok := variants[*name]
	caches := map[string]cache{"strong": newStrong(), "weak": newWeak()}
	c, okc := caches[*kind]
	if !ok || !okc || *rate <= 0 || *size <= 0 || *keys < 2 || *inUse <= 0 {
		fmt.Fprintln(os.Stderr, "usage: finalizers -mode conns|cache -variant leaky|fixed|captures -cache strong|weak -rate N -size BYTES -duration D")
		os.Exit(2)
	}
	out := json.NewEncoder(os.Stdout)
	switch *mode {
	case "conns":
		n := serve(v, *rate, *size, *cycle, *duration)
		live := collect()
		out.Encode(map[string]any{"variant": *name, "cycle": *cycle, "opened": n,
			"closed": fds.closed.Load(), "live_heap": live})
	case "cache":
		s := serveCache(c, *rate, *keys, *inUse, *size, *duration, func(s stats) { out.Encode(s) })
		s.Final = true
		out.Encode(s)
	default:
		fmt.Fprintln(os.Stderr, "unknown -mode", *mode)
		os.Exit(2)
	}
}
