// Command process_memory serves requests that keep a record of each one, in a
// leaky, a fixed or an exercise variant, for a while. It can also run one
// burst of work that needs a lot of memory for a moment, as a big report or
// batch job would.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"
)

// variant is what leaky.go, fixed.go and exercise.go each implement.
type variant interface {
	handle(r request) response
}

var variants = map[string]func() variant{
	"leaky":    func() variant { return &leaky{} },
	"fixed":    func() variant { return &fixed{} },
	"exercise": func() variant { return &exercise{} },
}

// request is one call from a client: who sent it and what it sent.
type request struct {
	client  int
	id      uint64
	headers map[string]string
	body    []byte
}

// record is what the debug page shows of one request, body included so that
// a request can be replayed.
type record struct {
	at      time.Time
	client  int
	id      uint64
	headers map[string]string
	body    []byte
}

type response struct {
	status int
	size   int
}

// service is the running service's handler: it lives as long as the program.
var service variant

// lastID numbers the requests: every request has its own id.
var lastID atomic.Uint64

// load serves rate requests per second of size bytes each from clients
// clients until duration is over, and returns how many it served.
func load(v variant, rate, size, clients int, duration time.Duration) int {
	start, n := time.Now(), 0
	for time.Since(start) < duration {
		v.handle(newRequest(n%clients, size))
		n++
		if next := start.Add(time.Duration(n) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	return n
}

// newRequest is what the server has once it has read a request: its
// headers parsed into a map and its body read into memory.
func newRequest(client, size int) request {
	id := lastID.Add(1)
	headers := make(map[string]string, 8)
	for _, k := range headerNames {
		headers[k] = k + ": " + strconv.FormatUint(id, 10)
	}
	body := make([]byte, size)
	for i := range body {
		body[i] = byte(id) + byte(i)
	}
	return request{client: client, id: id, headers: headers, body: body}
}

var headerNames = []string{"Accept", "Authorization", "Content-Type", "Cookie", "Host", "Traceparent", "User-Agent", "X-Request-Id"}

// burst holds mb megabytes for hold, then lets them go; with free it also
// asks the runtime to return the freed memory to the operating system at once.
func burst(mb int, hold time.Duration, free bool) {
	chunks := make([][]byte, mb)
	for i := range chunks {
		chunks[i] = make([]byte, 1<<20)
		for j := 0; j < len(chunks[i]); j += 4096 {
			chunks[i][j] = 1 // touch every page: memory the program really uses
		}
	}
	time.Sleep(hold)
	chunks = nil
	if free {
		debug.FreeOSMemory()
	}
}

func main() {
	name := flag.String("variant", "leaky", "leaky, fixed or exercise")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 2000, "requests per second")
	size := flag.Int("size", 4096, "bytes per request body")
	clients := flag.Int("clients", 64, "distinct clients")
	memlimit := flag.Int64("memlimit", 0, "if > 0: debug.SetMemoryLimit(memlimit), as GOMEMLIMIT does")
	burstMB := flag.Int("burst", 0, "if > 0: at a quarter of the run, hold this many MB for a moment")
	free := flag.Bool("free", false, "after the burst, call debug.FreeOSMemory")
	flag.Parse()
	mk, ok := variants[*name]
	if !ok || *rate <= 0 || *size <= 1 || *clients <= 0 {
		fmt.Fprintln(os.Stderr, "usage: process_memory -variant leaky|fixed|exercise -rate N -size BYTES -memlimit BYTES -burst MB [-free] -duration D")
		os.Exit(2)
	}
	if *memlimit > 0 {
		debug.SetMemoryLimit(*memlimit)
	}
	// SetMemoryLimit with a negative value only reads the limit in force.
	fmt.Printf("%s: memory limit %d bytes, GOGC=%q\n", *name, debug.SetMemoryLimit(-1), os.Getenv("GOGC"))
	if *burstMB > 0 {
		time.AfterFunc(*duration/4, func() { burst(*burstMB, 300*time.Millisecond, *free) })
	}
	service = mk()
	n := load(service, *rate, *size, *clients, *duration)
	fmt.Printf("%s: served %d requests\n", *name, n)
}
