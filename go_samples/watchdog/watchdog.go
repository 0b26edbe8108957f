// Package watchdog watches a running program for leaks: it samples the
// goroutine count and the live heap (runtime/metrics, no stop-the-world),
// tests the recent samples for sustained growth, and sends an alert with
// the goroutine sites that hold the most goroutines.
//
//	w, err := watchdog.Start(
//		watchdog.AlertTo(watchdog.LogSink(nil), watchdog.WebhookSink(url)))
//	if err != nil { ... }
//	defer w.Stop()
package watchdog

import (
	"fmt"
	"runtime/metrics"
	"sync"
	"time"
)

// Metric names a watched series.
type Metric string

// The series the watchdog watches.
const (
	Goroutines Metric = "goroutines"
	LiveHeap   Metric = "heap_live"
)

// Alert is what a sink receives (and what the webhook posts as JSON).
type Alert struct {
	Metric     Metric    `json:"metric"`
	Message    string    `json:"message"`
	Time       time.Time `json:"time"`
	SinceStart float64   `json:"since_start_s"`
	WindowS    float64   `json:"window_s"`
	Samples    int       `json:"samples"`
	First      float64   `json:"first"`
	Last       float64   `json:"last"`
	Trend      Trend     `json:"trend"`
	Goroutines int       `json:"goroutines"`
	Sites      []Site    `json:"sites"`
}

// Stats says what the watchdog has cost so far.
type Stats struct {
	Samples int           // samples taken
	Busy    time.Duration // time spent sampling and testing (sinks excluded)
	Alerts  int
}

// Watchdog samples the runtime on its own goroutine until Stop.
type Watchdog struct {
	cfg       config
	start     time.Time
	n         int // samples in the window
	series    map[Metric][]float64
	lastAlert map[Metric]time.Time
	passed    map[Metric]int // trend tests passed in a row
	stats     Stats
	mu        sync.Mutex
	stopOnce  sync.Once // Stop may be called more than once, and concurrently
	stop      chan struct{}
	done      chan struct{}
}

// Start checks the options and starts watching.
func Start(opts ...Option) (*Watchdog, error) {
	w, err := newWatchdog(opts...)
	if err != nil {
		return nil, err
	}
	go w.loop()
	return w, nil
}

func newWatchdog(opts ...Option) (*Watchdog, error) {
	cfg := defaults()
	for _, o := range opts {
		o.apply(&cfg)
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return &Watchdog{cfg: cfg, start: cfg.now(), n: int(cfg.window / cfg.every),
		series: map[Metric][]float64{}, lastAlert: map[Metric]time.Time{}, passed: map[Metric]int{},
		stop: make(chan struct{}), done: make(chan struct{})}, nil
}

// Stop ends the watchdog's goroutine and waits for it. It is safe to call
// more than once, from any goroutine.
func (w *Watchdog) Stop() {
	w.stopOnce.Do(func() { close(w.stop) })
	<-w.done
}

// Stats returns the cost so far.
func (w *Watchdog) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}

func (w *Watchdog) loop() {
	defer close(w.done)
	tick := time.NewTicker(w.cfg.every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			g, h := w.cfg.read()
			for _, a := range w.observe(g, h) {
				w.send(a)
			}
		case <-w.stop:
			return
		}
	}
}

// observe adds one sample of each metric and returns the alerts it causes.
func (w *Watchdog) observe(goroutines, heapLive float64) []Alert {
	t0 := time.Now()
	now := w.cfg.now()
	var alerts []Alert
	for _, m := range []struct {
		metric Metric
		value  float64
		min    float64
	}{{Goroutines, goroutines, w.cfg.minGoroutines}, {LiveHeap, heapLive, w.cfg.minHeap}} {
		if m.min == 0 {
			continue
		}
		ys := append(w.series[m.metric], m.value)
		if len(ys) > w.n {
			ys = ys[len(ys)-w.n:]
		}
		w.series[m.metric] = ys
		if len(ys) < w.n || now.Sub(w.lastAlert[m.metric]) < w.cfg.cooldown && !w.lastAlert[m.metric].IsZero() {
			continue
		}
		tr := Analyze(ys, w.cfg.every)
		perSecond := m.min / 60
		if tr.P >= w.cfg.alpha || tr.Slope < perSecond || tr.TailSlope < perSecond {
			w.passed[m.metric] = 0
			continue
		}
		if w.passed[m.metric]++; w.passed[m.metric] >= w.cfg.confirm {
			w.passed[m.metric] = 0
			w.lastAlert[m.metric] = now
			alerts = append(alerts, w.alert(m.metric, ys, tr, now))
		}
	}
	w.mu.Lock()
	w.stats.Samples++
	w.stats.Busy += time.Since(t0)
	w.stats.Alerts += len(alerts)
	w.mu.Unlock()
	return alerts
}

func (w *Watchdog) alert(m Metric, ys []float64, tr Trend, now time.Time) Alert {
	a := Alert{Metric: m, Time: now, SinceStart: now.Sub(w.start).Seconds(),
		WindowS: w.cfg.window.Seconds(), Samples: len(ys), First: ys[0], Last: ys[len(ys)-1], Trend: tr}
	a.Sites, a.Goroutines = TopSites(w.cfg.sites)
	rate := fmt.Sprintf("%+.1f goroutines/s", tr.Slope)
	if m == LiveHeap {
		rate = fmt.Sprintf("%+.1f kB/s live heap", tr.Slope/1e3)
	}
	a.Message = fmt.Sprintf("%s growing %s over the last %v (%.0f -> %.0f, Mann-Kendall z=%.1f, p=%.1g)",
		m, rate, w.cfg.window, a.First, a.Last, tr.Z, tr.P)
	if len(a.Sites) > 0 {
		s := a.Sites[0]
		a.Message += fmt.Sprintf("; top site: %d x %s at %s", s.Count, s.Function, s.Location)
	}
	return a
}

func (w *Watchdog) send(a Alert) {
	for _, s := range w.cfg.sinks {
		if err := s.Send(a); err != nil {
			w.cfg.onError(err)
		}
	}
}

var runtimeSamples = []metrics.Sample{{Name: "/sched/goroutines:goroutines"}, {Name: "/gc/heap/live:bytes"}}

// readRuntime reads both metrics; the live heap changes only when a GC
// cycle ends.
func readRuntime() (float64, float64) {
	s := make([]metrics.Sample, len(runtimeSamples))
	copy(s, runtimeSamples)
	metrics.Read(s)
	return float64(s[0].Value.Uint64()), float64(s[1].Value.Uint64())
}
