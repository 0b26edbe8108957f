// Package metrics collects the shop's counters and gauges and serves them in
// the Prometheus text format, with the usual process and Go runtime series.
package metrics

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds named series. A series name may carry labels, written as
// Prometheus does: http_requests_total{route="/search",code="200"}.
type Registry struct {
	mu       sync.Mutex
	counters map[string]*atomic.Int64
	gauges   map[string]func() float64
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{counters: make(map[string]*atomic.Int64), gauges: make(map[string]func() float64)}
}

// Counter returns the counter of the series, created at zero the first time.
func (r *Registry) Counter(series string) *atomic.Int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.counters[series]
	if !ok {
		c = new(atomic.Int64)
		r.counters[series] = c
	}
	return c
}

// Gauge reports fn's value as the series at every scrape.
func (r *Registry) Gauge(series string, fn func() float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gauges[series] = fn
}

// WriteText writes every series, sorted by name.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	lines := make([]string, 0, len(r.counters)+len(r.gauges))
	for s, c := range r.counters {
		lines = append(lines, s+" "+strconv.FormatInt(c.Load(), 10))
	}
	gauges := make(map[string]func() float64, len(r.gauges))
	for s, fn := range r.gauges {
		gauges[s] = fn
	}
	r.mu.Unlock()
	for s, fn := range gauges { // outside the lock: a gauge may take its own locks
		lines = append(lines, s+" "+strconv.FormatFloat(fn(), 'g', -1, 64))
	}
	sort.Strings(lines)
	bw := bufio.NewWriter(w)
	for _, ln := range lines {
		bw.WriteString(ln)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// ServeHTTP serves the registry to a scraper.
func (r *Registry) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	r.WriteText(w)
}

// RegisterProcess adds the process and Go runtime series every service exports.
func RegisterProcess(r *Registry) {
	r.Gauge("go_goroutines", func() float64 { return float64(runtime.NumGoroutine()) })
	r.Gauge("go_heap_live_bytes", func() float64 { return readRuntime("/gc/heap/live:bytes") })
	r.Gauge("go_memory_total_bytes", func() float64 { return readRuntime("/memory/classes/total:bytes") })
	r.Gauge("go_gc_cycles_total", func() float64 { return readRuntime("/gc/cycles/total:gc-cycles") })
	r.Gauge("process_open_fds", func() float64 { return float64(openFDs()) })
	r.Gauge("process_resident_memory_bytes", func() float64 { return float64(residentBytes()) })
}

func readRuntime(name string) float64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	switch s[0].Value.Kind() {
	case metrics.KindUint64:
		return float64(s[0].Value.Uint64())
	case metrics.KindFloat64:
		return s[0].Value.Float64()
	}
	return 0
}

// openFDs counts the process's open file descriptors (-1 where /proc is missing).
func openFDs() int {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return -1
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return -1
	}
	return len(names) - 1 // the descriptor reading the directory
}

// residentBytes is the process's resident set size (0 where /proc is missing).
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// Parse reads the text format back: series -> value (for scrapers and tests).
func Parse(text string) (map[string]float64, error) {
	out := make(map[string]float64)
	for _, ln := range strings.Split(text, "\n") {
		ln = strings.TrimSpace(ln)
		if ln == "" || ln[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(ln, ' ')
		if i < 0 {
			return nil, fmt.Errorf("metrics: bad line %q", ln)
		}
		v, err := strconv.ParseFloat(ln[i+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("metrics: bad value in %q", ln)
		}
		out[ln[:i]] = v
	}
	return out, nil
}
