// Package inventory is the stock and price service the shop depends on. The
// shop starts its own instance on the loopback interface, the way a test
// environment runs a dependency next to the service.
package inventory

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Item is what the inventory knows about a product: its price and stock.
type Item struct {
	SKU        string `json:"sku"`
	PriceCents int64  `json:"price_cents"`
	Stock      int    `json:"stock"`
}

// Line is one product and quantity of a reservation.
type Line struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// Reservation holds stock for an order.
type Reservation struct {
	Order string `json:"order"`
	Lines []Line `json:"lines"`
}

// Retired reports whether the product was taken out of the assortment: the
// inventory no longer knows it, though the shop's catalog may still list it.
func Retired(sku string) bool {
	n, err := strconv.Atoi(sku[len(sku)-5:])
	return err == nil && n%8 == 3
}

// Server serves the inventory API over HTTP.
type Server struct {
	srv      *http.Server
	ln       net.Listener
	latency  time.Duration
	open     atomic.Int64 // connections open now
	accepted atomic.Int64 // connections accepted since start
	requests atomic.Int64
	reserved atomic.Int64
}

// Start listens on a free port of 127.0.0.1 and serves until Close. Every
// answer takes about latency, as over a network.
func Start(latency time.Duration) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, latency: latency}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/items/{sku}", s.item)
	mux.HandleFunc("POST /v1/reservations", s.reserve)
	s.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ConnState: func(_ net.Conn, state http.ConnState) {
			switch state {
			case http.StateNew:
				s.open.Add(1)
				s.accepted.Add(1)
			case http.StateClosed, http.StateHijacked:
				s.open.Add(-1)
			}
		},
	}
	go s.srv.Serve(ln)
	return s, nil
}

// URL is the base URL of the API.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// OpenConns is the number of client connections open now.
func (s *Server) OpenConns() int64 { return s.open.Load() }

// Accepted is the number of client connections accepted since start.
func (s *Server) Accepted() int64 { return s.accepted.Load() }

// Requests is the number of requests served.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Close stops the server and closes every connection.
func (s *Server) Close() error { return s.srv.Close() }

func (s *Server) item(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	sku := r.PathValue("sku")
	if !s.work(r.Context()) {
		return
	}
	if Retired(sku) || len(sku) < 5 {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown sku", "sku": sku})
		return
	}
	h := fnv.New64a()
	h.Write([]byte(sku))
	v := h.Sum64()
	writeJSON(w, http.StatusOK, Item{SKU: sku, PriceCents: 499 + int64(v%20000), Stock: int(v>>20) % 50})
}

func (s *Server) reserve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	var res Reservation
	if err := json.NewDecoder(r.Body).Decode(&res); err != nil || res.Order == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad reservation"})
		return
	}
	if !s.work(r.Context()) {
		return
	}
	s.reserved.Add(1)
	writeJSON(w, http.StatusCreated, map[string]string{"reservation": "r-" + res.Order})
}

// work waits as long as a lookup takes: mostly about the configured latency,
// now and then several times that. It returns false if the caller gave up.
func (s *Server) work(ctx context.Context) bool {
	d := s.latency/2 + rand.N(s.latency+1)
	if rand.IntN(20) == 0 {
		d *= 6
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v) // a client that went away is not the server's error
}
