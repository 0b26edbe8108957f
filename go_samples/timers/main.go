// Command timers serves requests that use timers and tickers, in a leaky, a
// fixed or an exercise variant, for a while.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// variant is what leaky.go, fixed.go and exercise.go each implement.
type variant interface {
	watch(s *session, period time.Duration, done <-chan struct{})
	handle(r *request, limit time.Duration) int
	consume(in <-chan int, idle time.Duration) int
	wait(j *job, period time.Duration)
}

var variants = map[string]variant{"leaky": leaky{}, "fixed": fixed{}, "exercise": exercise{}}

// session is one connected client.
type session struct{ pings atomic.Int64 }

func (s *session) ping() { s.pings.Add(1) }

// request is one upload.
type request struct {
	id   int
	body []byte
}

func (r *request) process() int {
	sum := 0
	for _, b := range r.body {
		sum += int(b)
	}
	return sum
}

// job runs in its own goroutine, which closes done when it finishes.
type job struct {
	done    chan struct{}
	reports atomic.Int64
}

func (j *job) report() { j.reports.Add(1) }

// config holds the driver's knobs.
type config struct {
	cases   map[string]bool
	ping    time.Duration // ticker: heartbeat period of a client
	clients int           // ticker: clients connected at a time
	limit   time.Duration // afterfunc: log requests slower than this
	body    int           // afterfunc: request body size in bytes
	batch   int           // after: messages per request
	idle    time.Duration // after: give up when no message comes for this long
	jobs    int           // nostop: jobs waited for per request
	every   time.Duration // nostop: progress report period
}

// server keeps what outlives one request: the clients still connected.
type server struct {
	v    variant
	cfg  config
	open []chan struct{}
	n    int
}

func (s *server) is(c string) bool { return s.cfg.cases[c] || s.cfg.cases["all"] }

// serve handles one request of the chosen case.
func (s *server) serve() {
	s.n++
	c := s.cfg
	if s.is("ticker") { // a client connects; once too many are connected, the oldest leaves
		done := make(chan struct{})
		s.v.watch(&session{}, c.ping, done)
		s.open = append(s.open, done)
		if len(s.open) > c.clients {
			close(s.open[0])
			s.open = s.open[1:]
		}
	}
	if s.is("afterfunc") {
		s.v.handle(&request{id: s.n, body: make([]byte, c.body)}, c.limit)
	}
	if s.is("after") { // a burst of messages, consumed as they arrive
		in := make(chan int, 16)
		go func() {
			for i := range c.batch {
				in <- i
			}
			close(in)
		}()
		s.v.consume(in, c.idle)
	}
	if s.is("nostop") { // a worker runs the jobs one by one; we wait for each
		jobs := make([]*job, c.jobs)
		for i := range jobs {
			jobs[i] = &job{done: make(chan struct{})}
		}
		go func() {
			for _, j := range jobs {
				close(j.done)
			}
		}()
		for _, j := range jobs {
			s.v.wait(j, c.every)
		}
	}
}

// stop disconnects every client still connected.
func (s *server) stop() {
	for _, done := range s.open {
		close(done)
	}
	s.open = nil
}

// load serves rate requests per second until duration is over.
func load(v variant, cfg config, rate int, duration time.Duration) int {
	s := &server{v: v, cfg: cfg}
	defer s.stop()
	start := time.Now()
	for time.Since(start) < duration {
		s.serve()
		if next := start.Add(time.Duration(s.n) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	return s.n
}

// defaults is the load the notebook runs.
var defaults = config{ping: 100 * time.Millisecond, clients: 20, limit: time.Minute, body: 64 << 10,
	batch: 500, idle: 30 * time.Second, jobs: 100, every: time.Second}

func main() {
	cfg := defaults
	name := flag.String("variant", "leaky", "leaky, fixed or exercise")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 100, "requests per second")
	which := flag.String("case", "all", "ticker, afterfunc, after, nostop, several joined by commas, or all")
	flag.DurationVar(&cfg.ping, "ping", cfg.ping, "ticker: heartbeat period of a client")
	flag.IntVar(&cfg.clients, "clients", cfg.clients, "ticker: clients connected at a time")
	flag.DurationVar(&cfg.limit, "limit", cfg.limit, "afterfunc: log requests slower than this")
	flag.IntVar(&cfg.body, "body", cfg.body, "afterfunc: request body size in bytes")
	flag.IntVar(&cfg.batch, "batch", cfg.batch, "after: messages per request")
	flag.DurationVar(&cfg.idle, "idle", cfg.idle, "after: give up when no message comes for this long")
	flag.IntVar(&cfg.jobs, "jobs", cfg.jobs, "nostop: jobs waited for per request")
	flag.DurationVar(&cfg.every, "every", cfg.every, "nostop: progress report period")
	flag.Parse()
	v, ok := variants[*name]
	cfg.cases = map[string]bool{}
	for _, c := range strings.Split(*which, ",") {
		cfg.cases[c] = true
		ok = ok && strings.Contains(" ticker afterfunc after nostop all ", " "+c+" ")
	}
	if !ok || *rate <= 0 {
		fmt.Fprintln(os.Stderr, "usage: timers -variant leaky|fixed|exercise -case ticker|afterfunc|after|nostop[,...]|all -rate N -duration D")
		os.Exit(2)
	}
	n := load(v, cfg, *rate, *duration)
	fmt.Printf("%s: served %d requests\n", *name, n)
}
