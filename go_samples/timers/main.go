// Command timers serves requests that use timers and tickers, in a leaky, a
// fixed or an exercise variant, for a while.
package main

import (
	"flag"
	"fmt"
	"os"
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
	which                    string
	ping, limit, idle, every time.Duration
	clients, body, batch     int
	jobs                     int
}

// server keeps what outlives one request: the clients still connected.
type server struct {
	v    variant
	cfg  config
	open []chan struct{}
	n    int
}

func (s *server) is(c string) bool { return s.cfg.which == c || s.cfg.which == "all" }

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
	if s.is("nostop") { // start jobs, then wait for each
		jobs := make([]*job, c.jobs)
		for i := range jobs {
			jobs[i] = &job{done: make(chan struct{})}
			go func(j *job) { close(j.done) }(jobs[i])
		}
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
var defaults = config{which: "all", ping: 100 * time.Millisecond, limit: time.Minute,
	idle: 30 * time.Second, every: time.Second, clients: 20, body: 64 << 10, batch: 500, jobs: 100}

func main() {
	cfg := defaults
	name := flag.String("variant", "leaky", "leaky, fixed or exercise")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 100, "requests per second")
	flag.StringVar(&cfg.which, "case", cfg.which, "ticker, afterfunc, after, nostop or all")
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
	cases := map[string]bool{"ticker": true, "afterfunc": true, "after": true, "nostop": true, "all": true}
	if !ok || *rate <= 0 || !cases[cfg.which] {
		fmt.Fprintln(os.Stderr, "usage: timers -variant leaky|fixed|exercise -case ticker|afterfunc|after|nostop|all -rate N -duration D")
		os.Exit(2)
	}
	n := load(v, cfg, *rate, *duration)
	fmt.Printf("%s: served %d requests\n", *name, n)
}
