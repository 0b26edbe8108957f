package api

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"sync"

	"goleaklab/samples/capstone/internal/catalog"
	"goleaklab/samples/capstone/internal/pricing"
)

type productPage struct {
	catalog.Product
	PriceCents int64 `json:"price_cents"`
	Stock      int   `json:"stock"`
}

func (s *Server) product(w http.ResponseWriter, r *http.Request) {
	p, ok := s.cat.Get(r.PathValue("sku"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such product")
		return
	}
	s.views.add(p.SKU)
	q, err := s.quote(r.Context(), p.SKU)
	switch {
	case errors.Is(err, pricing.ErrUnknownSKU):
		writeError(w, http.StatusNotFound, "no longer available")
		return
	case err != nil:
		writeError(w, http.StatusBadGateway, "inventory unavailable")
		return
	}
	writeJSON(w, http.StatusOK, productPage{Product: *p, PriceCents: q.PriceCents, Stock: q.Stock})
}

// quote returns the price of sku from memory if it is recent enough, else
// from the inventory.
func (s *Server) quote(ctx context.Context, sku string) (pricing.Quote, error) {
	if q, ok := s.quotes.Get(sku); ok {
		return q, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QuoteTimeout)
	defer cancel()
	q, err := s.prices.Quote(ctx, sku)
	if err != nil {
		return q, err
	}
	s.quotes.Set(sku, q)
	return q, nil
}

// warmQuotes refreshes the prices of the most viewed products, a few at a
// time, so that their pages never wait for the inventory.
func (s *Server) warmQuotes(ctx context.Context) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, 8)
	)
	for _, sku := range s.views.top(s.cfg.WarmTop) {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() {
				<-sem
				wg.Done()
			}()
			q, err := s.prices.Quote(ctx, sku)
			switch {
			case errors.Is(err, pricing.ErrUnknownSKU):
			case err != nil:
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			default:
				s.quotes.Set(sku, q)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// popularity counts product page views.
type popularity struct {
	mu    sync.Mutex
	views map[string]int64
}

func newPopularity() *popularity { return &popularity{views: make(map[string]int64)} }

func (p *popularity) add(sku string) {
	p.mu.Lock()
	p.views[sku]++
	p.mu.Unlock()
}

// top returns the n most viewed SKUs, most viewed first.
func (p *popularity) top(n int) []string {
	p.mu.Lock()
	skus := make([]string, 0, len(p.views))
	for sku := range p.views {
		skus = append(skus, sku)
	}
	sort.Slice(skus, func(i, j int) bool {
		if p.views[skus[i]] != p.views[skus[j]] {
			return p.views[skus[i]] > p.views[skus[j]]
		}
		return skus[i] < skus[j]
	})
	p.mu.Unlock()
	return skus[:min(n, len(skus))]
}
