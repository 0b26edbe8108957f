// Package api is the shop's HTTP API: product pages, search, carts and
// checkout, with metrics and profiling endpoints for operators.
package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"strconv"
	"sync/atomic"
	"time"

	"goleaklab/samples/capstone/internal/cache"
	"goleaklab/samples/capstone/internal/catalog"
	"goleaklab/samples/capstone/internal/jobs"
	"goleaklab/samples/capstone/internal/metrics"
	"goleaklab/samples/capstone/internal/pricing"
	"goleaklab/samples/capstone/internal/search"
	"goleaklab/samples/capstone/internal/session"
	"goleaklab/samples/capstone/internal/work"
)

// Config is what the shop is made of and how it behaves.
type Config struct {
	Catalog *catalog.Catalog
	Pricing *pricing.Client
	Metrics *metrics.Registry

	QuoteTTL         time.Duration // how long a product's price is served from memory
	QuoteTimeout     time.Duration // how long a product page waits for the inventory
	CheckoutTimeout  time.Duration // how long a checkout may take in all
	QuoteConcurrency int           // inventory calls at a time for one checkout
	WarmEvery        time.Duration // how often the most viewed products' prices are refreshed
	WarmTop          int           // how many of them
	SessionTTL       time.Duration // how long an unused session (and its cart) is kept
	RecentSearches   int           // queries whose results are kept for repeats
	Workers          int           // background workers (stock reservations)
}

// DefaultConfig returns the production settings, for the given parts.
func DefaultConfig(cat *catalog.Catalog, prices *pricing.Client, reg *metrics.Registry) Config {
	return Config{
		Catalog: cat, Pricing: prices, Metrics: reg,
		QuoteTTL: 2 * time.Second, QuoteTimeout: 500 * time.Millisecond, CheckoutTimeout: 2 * time.Second,
		QuoteConcurrency: 4, WarmEvery: 250 * time.Millisecond, WarmTop: 32,
		SessionTTL: 2 * time.Hour, RecentSearches: 128, Workers: 4,
	}
}

// Server serves the shop's API. Close releases what New started.
type Server struct {
	cfg      Config
	cat      *catalog.Catalog
	prices   *pricing.Client
	quotes   *cache.Cache[string, pricing.Quote]
	search   *search.Engine
	sessions *session.Store
	pool     *work.Pool
	jobs     *jobs.Scheduler
	views    *popularity
	metrics  *metrics.Registry
	mux      *http.ServeMux
	orders   atomic.Int64
}

// New builds the shop and starts its background work.
func New(cfg Config) *Server {
	s := &Server{
		cfg:      cfg,
		cat:      cfg.Catalog,
		prices:   cfg.Pricing,
		quotes:   cache.New[string, pricing.Quote](cfg.QuoteTTL, cfg.QuoteTTL/2),
		search:   search.New(cfg.Catalog, cfg.RecentSearches),
		sessions: session.NewStore(cfg.SessionTTL),
		pool:     work.NewPool(cfg.Workers, 64),
		jobs:     jobs.New(),
		views:    newPopularity(),
		metrics:  cfg.Metrics,
		mux:      http.NewServeMux(),
	}
	s.route("GET /products/{sku}", "/products", s.product)
	s.route("GET /search", "/search", s.searchProducts)
	s.route("POST /cart/items", "/cart/items", s.addToCart)
	s.route("POST /checkout", "/checkout", s.checkout)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	s.mux.Handle("GET /metrics", s.metrics)
	s.mux.HandleFunc("/debug/pprof/", pprof.Index)
	s.mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	s.mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	s.jobs.Every("warm-quotes", cfg.WarmEvery, s.warmQuotes)
	s.registerMetrics()
	return s
}

// Handler is the shop's HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Close stops the background jobs and workers and lets go of idle connections.
func (s *Server) Close() {
	s.jobs.Stop()
	s.pool.Close()
	s.quotes.Close()
	s.prices.CloseIdleConnections()
}

func (s *Server) registerMetrics() {
	m := s.metrics
	m.Gauge("shop_orders_total", func() float64 { return float64(s.orders.Load()) })
	m.Gauge("shop_sessions_active", func() float64 { return float64(s.sessions.Len()) })
	m.Gauge("shop_sessions_started_total", func() float64 { return float64(s.sessions.Started()) })
	m.Gauge("quote_cache_entries", func() float64 { return float64(s.quotes.Len()) })
	m.Gauge("quote_cache_hits_total", func() float64 { return float64(s.quotes.Hits()) })
	m.Gauge("quote_cache_misses_total", func() float64 { return float64(s.quotes.Misses()) })
	m.Gauge("search_queries_total", func() float64 { return float64(s.search.Queries()) })
	m.Gauge("search_recent_queries", func() float64 { return float64(s.search.Recent()) })
	m.Gauge("search_answered_from_recent_total", func() float64 { return float64(s.search.Remembered()) })
	m.Gauge("inventory_calls_total", func() float64 { return float64(s.prices.Calls()) })
	m.Gauge("inventory_failures_total", func() float64 { return float64(s.prices.Failures()) })
	m.Gauge("work_queue_depth", func() float64 { return float64(s.pool.Queued()) })
	m.Gauge("work_tasks_done_total", func() float64 { return float64(s.pool.Done()) })
	m.Gauge(`job_runs_total{job="warm-quotes"}`, func() float64 { return float64(s.jobs.Stats("warm-quotes").Runs.Load()) })
	m.Gauge(`job_failures_total{job="warm-quotes"}`, func() float64 {
		return float64(s.jobs.Stats("warm-quotes").Failures.Load())
	})
}

// route serves pattern with h, counting answers by route and status code.
// A request that names its session (header X-Session) gets it in its context.
func (s *Server) route(pattern, name string, h http.HandlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if id := r.Header.Get("X-Session"); id != "" {
			r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, s.sessions.Touch(id)))
		}
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h(sw, r)
		s.metrics.Counter(`http_requests_total{route="` + name + `",code="` + strconv.Itoa(sw.code) + `"}`).Add(1)
	})
}

type sessionKey struct{}

func sessionFrom(ctx context.Context) *session.Session {
	s, _ := ctx.Value(sessionKey{}).(*session.Session)
	return s
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v) // a client that went away is not the server's error
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
