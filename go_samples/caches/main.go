// Command caches serves requests that remember things in package-level caches
// and registries, in a leaky, a fixed or an exercise variant, for a while.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

// variant is what leaky.go, fixed.go and exercise.go each implement.
type variant interface {
	report(key string, render func(string) *result) *result
	watch(work func())
	publish(e event)
	open(id string, load func(string) *doc) *doc
	indexed() int
}

var variants = map[string]variant{"leaky": leaky{}, "fixed": fixed{}, "exercise": exercise{}}

// size is the bytes behind one report, one client's screen and one document.
var size = 32 << 10

type result struct {
	key  string
	body []byte
}

type event struct{ text string }

type screen struct{ pixels []byte }

func newScreen() *screen { return &screen{make([]byte, size)} }

func (s *screen) show(e event) { copy(s.pixels, e.text) }

type doc struct {
	id   string
	text []byte
}

// render builds a report the slow way, leaving garbage behind as real work does.
func render(key string) *result {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "%s line %d: %x\n", key, i, rand.Uint64())
	}
	return &result{key: key, body: bytes.Clone(b.Bytes()[:size])}
}

func load(id string) *doc {
	return &doc{id: id, text: bytes.Repeat([]byte(id+" "), size/(len(id)+1)+1)[:size]}
}

// respond writes a response body. Like most of a server's allocations it is
// garbage a moment later, which keeps the GC running.
func respond(w io.Writer, n int) {
	body := make([]byte, 256<<10)
	copy(body, fmt.Sprintf("response %d\n", n))
	w.Write(body)
}

// server drives one variant and counts what it saw.
type server struct {
	v                                  variant
	which                              string
	reading                            [8]*doc // documents that readers still have open
	requests, rendered, opened, loaded int
}

// serve handles request n of the chosen case.
func (s *server) serve(n int) {
	if s.which == "map" || s.which == "all" {
		// Half the requests ask for one of 8 popular reports; the other half
		// carry a query of their own, whose key is never asked for again.
		key := fmt.Sprintf("report?top=%d", rand.IntN(8))
		if rand.IntN(2) == 0 {
			key = fmt.Sprintf("report?q=%d", n)
		}
		s.v.report(key, func(k string) *result { s.rendered++; return render(k) })
	}
	if s.which == "registry" || s.which == "all" {
		client := fmt.Sprintf("client-%d", n)
		s.v.watch(func() { s.v.publish(event{client + " joined"}) })
	}
	if s.which == "weak" || s.which == "all" {
		// A quarter of the readers open a document someone is still reading;
		// each reader keeps its document for the next 8 requests.
		id := fmt.Sprintf("doc-%d", n)
		if prev := s.reading[rand.IntN(len(s.reading))]; prev != nil && rand.IntN(4) == 0 {
			id = prev.id
		}
		s.reading[n%len(s.reading)] = s.v.open(id, func(id string) *doc { s.loaded++; return load(id) })
		s.opened++
	}
	respond(io.Discard, n)
	s.requests++
}

// run serves rate requests per second until duration is over.
func (s *server) run(rate int, duration time.Duration) {
	start := time.Now()
	for n := 0; time.Since(start) < duration; n++ {
		s.serve(n)
		if next := start.Add(time.Duration(n+1) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
}

func main() {
	name := flag.String("variant", "leaky", "leaky, fixed or exercise")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 200, "requests per second")
	which := flag.String("case", "all", "map, registry, weak or all")
	flag.IntVar(&size, "size", size, "bytes per report, screen and document")
	flag.Parse()
	v, ok := variants[*name]
	if !ok || *rate <= 0 || size <= 0 || !strings.Contains(" map registry weak all ", " "+*which+" ") {
		fmt.Fprintln(os.Stderr, "usage: caches -variant leaky|fixed|exercise -case map|registry|weak|all -rate N -size BYTES -duration D")
		os.Exit(2)
	}
	s := &server{v: v, which: *which}
	s.run(*rate, *duration)
	line := fmt.Sprintf("%s: served %d requests", *name, s.requests)
	if s.rendered > 0 {
		line += fmt.Sprintf("; rendered %d reports", s.rendered)
	}
	if s.opened > 0 {
		line += fmt.Sprintf("; opened %d documents, %d loaded, %d indexed", s.opened, s.loaded, v.indexed())
	}
	fmt.Println(line)
}
