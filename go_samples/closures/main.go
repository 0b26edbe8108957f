// Command closures serves uploads and keeps one small closure per upload, in
// a leaky, a fixed or an exercise variant, for a while.
package main

import (
	"compress/gzip"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"time"
)

// upload is one request: its ID, where its file went, its body and checksum.
type upload struct {
	ID   string
	Path string
	Body []byte
	Sum  uint32
}

// cache remembers each upload's checksum until the entry expires.
type cache struct {
	mu sync.Mutex
	m  map[string]uint32
}

func (c *cache) put(id string, sum uint32) { c.mu.Lock(); c.m[id] = sum; c.mu.Unlock() }
func (c *cache) delete(id string)          { c.mu.Lock(); delete(c.m, id); c.mu.Unlock() }

// variant is what leaky.go, fixed.go and exercise.go each implement.
type variant interface {
	onDelete(hooks map[string]func() string, u *upload)
	cleanupLater(jobs chan<- func() string, u *upload)
	expire(c *cache, u *upload, ttl time.Duration)
}

var variants = map[string]variant{"leaky": leaky{}, "fixed": fixed{}, "exercise": exercise{}}

// janitor is a goroutine that lives as long as the service: it keeps every
// cleanup job and runs them all at shutdown, when jobs is closed.
func janitor(jobs <-chan func() string, done chan<- struct{}) {
	var pending []func() string
	for job := range jobs {
		pending = append(pending, job)
	}
	for _, job := range pending {
		job()
	}
	close(done)
}

// service is the long-lived state: the hook table, the janitor, the cache.
type service struct {
	hooks map[string]func() string
	jobs  chan func() string
	done  chan struct{}
	cache *cache
	ttl   time.Duration
	src   *rand.ChaCha8
}

func newService(ttl time.Duration) *service {
	s := &service{hooks: map[string]func() string{}, jobs: make(chan func() string),
		done: make(chan struct{}), cache: &cache{m: map[string]uint32{}}, ttl: ttl,
		src: rand.NewChaCha8([32]byte{})}
	go janitor(s.jobs, s.done)
	return s
}

// store writes the body gzipped to its file (here io.Discard). A new
// gzip.Writer per upload is common, and makes ~800 KB of short-lived garbage.
func store(body []byte) {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	zw.Write(body)
	zw.Close()
}

// serve reads one upload's body and stores it; then, per case, it leaves a
// closure behind that needs only the upload's ID or path.
func (s *service) serve(v variant, which string, i, size int) {
	body, _ := io.ReadAll(io.LimitReader(s.src, int64(size))) // the client's bytes
	store(body)
	u := &upload{ID: fmt.Sprintf("up-%07d", i), Path: fmt.Sprintf("/srv/uploads/up-%07d", i),
		Body: body, Sum: crc32.ChecksumIEEE(body)}
	if which == "handlers" || which == "all" {
		v.onDelete(s.hooks, u)
	}
	if which == "goroutine" || which == "all" {
		v.cleanupLater(s.jobs, u)
	}
	if which == "timer" || which == "all" {
		s.cache.put(u.ID, u.Sum)
		v.expire(s.cache, u, s.ttl)
	}
}

// stop ends the janitor, which runs the jobs it kept.
func (s *service) stop() {
	close(s.jobs)
	<-s.done
}

// load serves rate uploads per second until duration is over.
func load(v variant, which string, size, rate int, ttl, duration time.Duration) int {
	s := newService(ttl)
	start, served := time.Now(), 0
	for time.Since(start) < duration {
		s.serve(v, which, served, size)
		served++
		if next := start.Add(time.Duration(served) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	s.stop()
	return served
}

func main() {
	name := flag.String("variant", "leaky", "leaky, fixed or exercise")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 100, "uploads per second")
	which := flag.String("case", "all", "handlers, goroutine, timer or all")
	size := flag.Int("size", 64<<10, "bytes per upload body")
	ttl := flag.Duration("ttl", 30*time.Second, "how long a cache entry lives (timer case)")
	flag.Parse()
	v, ok := variants[*name]
	cases := map[string]bool{"handlers": true, "goroutine": true, "timer": true, "all": true}
	if !ok || *rate <= 0 || *size <= 0 || !cases[*which] {
		fmt.Fprintln(os.Stderr, "usage: closures -variant leaky|fixed|exercise -case handlers|goroutine|timer|all -rate N -size BYTES -duration D")
		os.Exit(2)
	}
	n := load(v, *which, *size, *rate, *ttl, *duration)
	fmt.Printf("%s: served %d uploads\n", *name, n)
}
