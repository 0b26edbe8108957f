// Package loadgen drives the shop with traffic shaped like its production
// traffic: product pages, searches, carts and checkouts from a set of
// shoppers, at a fixed rate. It checks every answer, and it scrapes the
// shop's metrics at an interval, printing one dashboard line each time.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"goleaklab/samples/capstone/internal/catalog"
	"goleaklab/samples/capstone/internal/inventory"
	"goleaklab/samples/capstone/internal/metrics"
)

// Config says what traffic to send.
type Config struct {
	Target      string        // the shop's base URL
	Rate        int           // requests per second
	Duration    time.Duration // how long to send them
	Sessions    int           // shoppers
	Products    int           // products in the catalog
	Seed        uint64        // the same seed sends the same requests
	MaxInFlight int           // requests waiting for an answer at most; more are dropped
	Timeout     time.Duration // how long one request may take
	Every       time.Duration // dashboard interval (0: no dashboard)
	Out         io.Writer     // where dashboard lines go
}

// RouteSummary counts the answers of one kind of request.
type RouteSummary struct {
	Sent   int64            `json:"sent"`
	OK     int64            `json:"ok"`
	Failed int64            `json:"failed"`
	Codes  map[string]int64 `json:"codes"`
}

// Summary is what the load generator saw over the whole run.
type Summary struct {
	Seconds  float64                  `json:"seconds"`
	Rate     int                      `json:"rate"`
	Sent     int64                    `json:"sent"`
	OK       int64                    `json:"ok"`
	Failed   int64                    `json:"failed"`
	Dropped  int64                    `json:"dropped"`
	RPS      float64                  `json:"rps"`
	P50ms    float64                  `json:"p50_ms"`
	P99ms    float64                  `json:"p99_ms"`
	Routes   map[string]*RouteSummary `json:"routes"`
	Examples []string                 `json:"examples,omitempty"` // a few failures, as seen
}

type request struct {
	route   string
	method  string
	path    string
	body    []byte
	session string
	sku     string
}

type generator struct {
	cfg      Config
	client   *http.Client
	rng      *rand.Rand
	zipf     *rand.Zipf
	words    []string
	popular  []string
	mu       sync.Mutex
	routes   map[string]*RouteSummary
	examples []string
	all      histogram
	window   histogram
	windowOK int64
	windowKO int64
	ok       atomic.Int64
	failed   atomic.Int64
}

// Run sends cfg.Rate requests a second for cfg.Duration, waits for the last
// answers and returns the counts.
func Run(ctx context.Context, cfg Config) (Summary, error) {
	if cfg.Rate <= 0 || cfg.Sessions <= 0 || cfg.Products <= 0 {
		return Summary{}, fmt.Errorf("loadgen: rate, sessions and products must be positive")
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 512
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Second
	}
	tr := &http.Transport{MaxIdleConns: cfg.MaxInFlight, MaxIdleConnsPerHost: cfg.MaxInFlight, IdleConnTimeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x10ad))
	g := &generator{
		cfg:    cfg,
		client: &http.Client{Transport: tr},
		rng:    rng,
		zipf:   rand.NewZipf(rng, 1.1, 1, uint64(cfg.Products-1)),
		words:  catalog.Vocabulary(),
		routes: make(map[string]*RouteSummary),
	}
	for range 64 {
		g.popular = append(g.popular, g.words[rng.IntN(len(g.words))]+" "+g.words[rng.IntN(len(g.words))])
	}

	start := time.Now()
	var wg sync.WaitGroup
	stopDash := make(chan struct{})
	if cfg.Every > 0 && cfg.Out != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.dashboard(start, stopDash)
		}()
	}

	inflight := make(chan struct{}, cfg.MaxInFlight)
	var requests sync.WaitGroup
	var sent, dropped int64
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case now := <-tick.C:
			elapsed := now.Sub(start)
			if elapsed >= cfg.Duration {
				break loop
			}
			for due := int64(elapsed.Seconds() * float64(cfg.Rate)); sent < due; sent++ {
				req := g.next()
				select {
				case inflight <- struct{}{}:
					requests.Add(1)
					go func() {
						defer requests.Done()
						defer func() { <-inflight }()
						g.do(ctx, req)
					}()
				default:
					dropped++
				}
			}
		}
	}
	requests.Wait()
	close(stopDash)
	wg.Wait()

	secs := time.Since(start).Seconds()
	g.mu.Lock()
	defer g.mu.Unlock()
	s := Summary{Seconds: math.Round(secs*1000) / 1000, Rate: cfg.Rate, Sent: sent, OK: g.ok.Load(),
		Failed: g.failed.Load(), Dropped: dropped, Routes: g.routes, Examples: g.examples,
		P50ms: g.all.quantile(0.5), P99ms: g.all.quantile(0.99)}
	s.RPS = math.Round(float64(s.OK)/cfg.Duration.Seconds()*10) / 10
	return s, nil
}

// next picks the next request: product pages 45 %, searches 25 %, cart
// additions 25 %, checkouts 5 %.
func (g *generator) next() request {
	session := fmt.Sprintf("shopper-%03d", g.rng.IntN(g.cfg.Sessions))
	switch p := g.rng.IntN(100); {
	case p < 45:
		sku := catalog.SKU(int(g.zipf.Uint64()))
		return request{route: "product", method: http.MethodGet, path: "/products/" + sku, session: session, sku: sku}
	case p < 70:
		var q string
		if g.rng.IntN(10) < 2 {
			q = g.popular[g.rng.IntN(len(g.popular))]
		} else {
			q = fmt.Sprintf("%s %s %s", g.words[g.rng.IntN(len(g.words))], g.words[g.rng.IntN(len(g.words))],
				g.words[g.rng.IntN(len(g.words))])
		}
		return request{route: "search", method: http.MethodGet, path: "/search?q=" + url.QueryEscape(q), session: session}
	case p < 95:
		sku := catalog.SKU(int(g.zipf.Uint64()))
		body, _ := json.Marshal(map[string]any{"sku": sku, "qty": 1 + g.rng.IntN(3)})
		return request{route: "cart", method: http.MethodPost, path: "/cart/items", body: body, session: session, sku: sku}
	default:
		return request{route: "checkout", method: http.MethodPost, path: "/checkout", body: []byte("{}"), session: session}
	}
}

func (g *generator) do(ctx context.Context, req request) {
	ctx, cancel := context.WithTimeout(ctx, g.cfg.Timeout)
	defer cancel()
	began := time.Now()
	code, problem := g.call(ctx, req)
	took := time.Since(began)

	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.routes[req.route]
	if r == nil {
		r = &RouteSummary{Codes: make(map[string]int64)}
		g.routes[req.route] = r
	}
	r.Sent++
	key := "error"
	if code != 0 {
		key = fmt.Sprint(code)
	}
	r.Codes[key]++
	g.all.add(took)
	g.window.add(took)
	if problem != "" {
		r.Failed++
		g.failed.Add(1)
		g.windowKO++
		if len(g.examples) < 5 {
			g.examples = append(g.examples, req.route+": "+problem)
		}
		return
	}
	r.OK++
	g.ok.Add(1)
	g.windowOK++
}

// call makes one request and checks its answer: problem is "" when the shop
// answered as it should.
func (g *generator) call(ctx context.Context, req request) (code int, problem string) {
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, g.cfg.Target+req.path, body)
	if err != nil {
		return 0, err.Error()
	}
	hr.Header.Set("X-Session", req.session)
	if req.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.client.Do(hr)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, err.Error()
	}
	return resp.StatusCode, check(req, resp.StatusCode, data)
}

// check says what is wrong with an answer, or "" if nothing is.
func check(req request, code int, data []byte) string {
	var v struct {
		SKU        string            `json:"sku"`
		PriceCents int64             `json:"price_cents"`
		Hits       []json.RawMessage `json:"hits"`
		Lines      int               `json:"lines"`
		Order      string            `json:"order"`
		Total      int64             `json:"total_cents"`
		Error      string            `json:"error"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return fmt.Sprintf("HTTP %d, not JSON: %.60q", code, data)
	}
	ok := false
	switch req.route {
	case "product":
		if inventory.Retired(req.sku) {
			ok = code == http.StatusNotFound
		} else {
			ok = code == http.StatusOK && v.SKU == req.sku && v.PriceCents > 0
		}
	case "search":
		ok = code == http.StatusOK && len(v.Hits) > 0
	case "cart":
		ok = code == http.StatusOK && v.Lines > 0
	case "checkout":
		ok = code == http.StatusOK && v.Order != "" && v.Total > 0 ||
			code == http.StatusConflict && inventory.Retired(v.SKU) ||
			code == http.StatusUnprocessableEntity && v.Error == "cart is empty"
	}
	if ok {
		return ""
	}
	return fmt.Sprintf("HTTP %d: %.80s", code, bytes.TrimSpace(data))
}

// dashboard scrapes the shop's metrics every cfg.Every and prints them with
// the traffic of the interval: one line "dash {json}" each time.
func (g *generator) dashboard(start time.Time, stop <-chan struct{}) {
	t := time.NewTicker(g.cfg.Every)
	defer t.Stop()
	last := start
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			line := map[string]any{"t": math.Round(now.Sub(start).Seconds()*100) / 100}
			g.mu.Lock()
			secs := now.Sub(last).Seconds()
			line["rps"] = math.Round(float64(g.windowOK)/secs*10) / 10
			line["errors_per_s"] = math.Round(float64(g.windowKO)/secs*10) / 10
			line["p50_ms"], line["p99_ms"] = g.window.quantile(0.5), g.window.quantile(0.99)
			g.window, g.windowOK, g.windowKO, last = histogram{}, 0, 0, now
			g.mu.Unlock()
			for k, v := range g.scrape() {
				if !strings.Contains(k, "{") { // labelled series stay on the metrics page
					line[k] = v
				}
			}
			b, _ := json.Marshal(line)
			fmt.Fprintf(g.cfg.Out, "dash %s\n", b)
		}
	}
}

func (g *generator) scrape() map[string]float64 {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.cfg.Target+"/metrics", nil)
	if err != nil {
		return nil
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	text, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil
	}
	m, _ := metrics.Parse(string(text))
	return m
}

// histogram counts latencies in buckets 5 % wide, from 50 µs up.
type histogram struct {
	n       int64
	buckets [256]int64
}

func (h *histogram) add(d time.Duration) {
	ms := d.Seconds() * 1000
	i := 0
	if ms > 0.05 {
		i = min(len(h.buckets)-1, int(math.Log(ms/0.05)/math.Log(1.05)))
	}
	h.buckets[i]++
	h.n++
}

// quantile is the latency (ms) below which a fraction q of the requests fell.
func (h *histogram) quantile(q float64) float64 {
	if h.n == 0 {
		return 0
	}
	want := int64(math.Ceil(q * float64(h.n)))
	var seen int64
	for i, c := range h.buckets {
		if seen += c; seen >= want {
			return math.Round(0.05*math.Pow(1.05, float64(i+1))*100) / 100
		}
	}
	return 0
}

// Routes lists the kinds of request, in a fixed order.
func Routes(s Summary) []string {
	names := make([]string, 0, len(s.Routes))
	for n := range s.Routes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
