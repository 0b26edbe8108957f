package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"goleaklab/samples/capstone/internal/pricing"
	"goleaklab/samples/capstone/internal/work"
)

type cartItem struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

func (s *Server) addToCart(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	if sess == nil {
		writeError(w, http.StatusBadRequest, "no session")
		return
	}
	var in cartItem
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil || in.Qty < 1 || in.Qty > 99 {
		writeError(w, http.StatusBadRequest, "want {\"sku\": ..., \"qty\": 1-99}")
		return
	}
	if _, ok := s.cat.Get(in.SKU); !ok {
		writeError(w, http.StatusNotFound, "no such product")
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"lines": sess.Add(in.SKU, in.Qty)})
}

// unavailableError says which product of a cart cannot be sold any more.
type unavailableError struct{ sku string }

func (e *unavailableError) Error() string { return e.sku + " is no longer available" }

// checkout prices every line of the cart at current prices, places the
// order and reserves its stock in the background.
func (s *Server) checkout(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	if sess == nil {
		writeError(w, http.StatusBadRequest, "no session")
		return
	}
	cart := sess.Cart()
	if len(cart) == 0 {
		writeError(w, http.StatusUnprocessableEntity, "cart is empty")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.CheckoutTimeout)
	defer cancel()
	quotes, err := work.Map(ctx, len(cart), s.cfg.QuoteConcurrency, func(ctx context.Context, i int) (pricing.Quote, error) {
		q, err := s.prices.Quote(ctx, cart[i].SKU)
		if errors.Is(err, pricing.ErrUnknownSKU) {
			return q, &unavailableError{cart[i].SKU}
		}
		return q, err
	})
	var gone *unavailableError
	switch {
	case errors.As(err, &gone):
		sess.Remove(gone.sku)
		writeJSON(w, http.StatusConflict, map[string]string{"error": gone.Error(), "sku": gone.sku})
		return
	case err != nil:
		writeError(w, http.StatusBadGateway, "inventory unavailable")
		return
	}

	var total int64
	lines := make([]pricing.Line, len(cart))
	for i, it := range cart {
		total += quotes[i].PriceCents * int64(it.Qty)
		lines[i] = pricing.Line{SKU: it.SKU, Qty: it.Qty}
	}
	order := fmt.Sprintf("o-%d-%d", time.Now().Unix(), s.orders.Add(1))
	sess.Clear()
	reserve := func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if _, err := s.prices.Reserve(ctx, order, lines); err != nil {
			s.metrics.Counter("shop_reservations_failed_total").Add(1)
		}
	}
	if !s.pool.TrySubmit(reserve) {
		reserve(r.Context())
	}
	writeJSON(w, http.StatusOK, map[string]any{"order": order, "total_cents": total, "lines": len(lines)})
}
