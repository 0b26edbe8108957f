// Command context_cancel serves requests whose contexts are not cancelled, or
// not listened to, in a leaky, a fixed or an exercise variant, for a while.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// variant is what leaky.go, fixed.go and exercise.go each implement.
type variant interface {
	lookup(ctx context.Context, key int, timeout time.Duration) (string, error)
	handle(ctx context.Context, req *request) int
	serve(server context.Context, req *request) int
}

var variants = map[string]variant{"leaky": leaky{}, "fixed": fixed{}, "exercise": exercise{}}

var cases = []string{"lostcancel", "ignoredone", "tree"}

// server is the base context of every request. Like a real server's, it lives
// as long as the program: shutdown would cancel it, and every context derived
// from it, but this sample never shuts down.
var server, shutdown = context.WithCancel(context.Background())

// A request is what a client sent.
type request struct {
	id   int
	body []byte
}

type requestKey struct{}

const keepAliveEvery = 500 * time.Millisecond

var (
	errNotFound = errors.New("not found")
	pings       atomic.Int64
)

// backend finds even keys only.
func backend(ctx context.Context, key int) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if key%2 == 1 {
		return "", errNotFound
	}
	return strconv.Itoa(key), nil
}

// process stands for the work a request does.
func process(ctx context.Context, req *request) int {
	if ctx.Err() != nil {
		return 0
	}
	return len(req.body)
}

// ping stands for a keep-alive message; it only counts them.
func ping(id int) { pings.Add(1) }

// serveOne handles request i of one case.
func serveOne(parent context.Context, v variant, which string, i, body int, timeout time.Duration) {
	req := &request{id: i, body: make([]byte, body)}
	switch which {
	case "lostcancel":
		v.lookup(context.WithValue(parent, requestKey{}, req), i, timeout)
	case "ignoredone":
		v.handle(parent, req)
	case "tree":
		v.serve(parent, req)
	}
}

// load serves rate requests per second of each case until duration is over.
func load(parent context.Context, v variant, which []string, rate, body int, timeout, duration time.Duration) int {
	start, n := time.Now(), 0
	for time.Since(start) < duration {
		n++
		for _, c := range which {
			serveOne(parent, v, c, n, body, timeout)
		}
		if next := start.Add(time.Duration(n) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	return n
}

func main() {
	name := flag.String("variant", "leaky", "leaky, fixed or exercise")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 500, "requests per second (per case)")
	which := flag.String("case", "all", "lostcancel, ignoredone, tree or all")
	body := flag.Int("body", 8<<10, "request body size in bytes")
	timeout := flag.Duration("timeout", 30*time.Second, "lookup timeout")
	flag.Parse()
	v, ok := variants[*name]
	chosen := cases
	if *which != "all" {
		chosen = []string{*which}
	}
	if !ok || *rate <= 0 || *body < 0 || (*which != "all" && !slices.Contains(cases, *which)) {
		fmt.Fprintln(os.Stderr, "usage: context_cancel -variant leaky|fixed|exercise -case lostcancel|ignoredone|tree|all -rate N -body BYTES -timeout D -duration D")
		os.Exit(2)
	}
	n := load(server, v, chosen, *rate, *body, *timeout, *duration)
	fmt.Printf("%s: served %d requests of %s; %d keep-alive pings\n", *name, n, strings.Join(chosen, ", "), pings.Load())
}
