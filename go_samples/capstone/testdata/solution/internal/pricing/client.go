// Package pricing is the shop's client for the inventory service: current
// prices and stock of products, and stock reservations for orders.
package pricing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// ErrUnknownSKU is returned for a product the inventory does not know.
var ErrUnknownSKU = errors.New("unknown sku")

// Quote is the current price and stock of one product.
type Quote struct {
	SKU        string `json:"sku"`
	PriceCents int64  `json:"price_cents"`
	Stock      int    `json:"stock"`
}

// Line is a product and a quantity.
type Line struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// Client calls the inventory service. It is safe for concurrent use.
type Client struct {
	base     string
	http     *http.Client
	calls    atomic.Int64
	failures atomic.Int64
}

// New returns a client for the inventory service at base. Callers bound each
// call through its context.
func New(base string) *Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 32,
		IdleConnTimeout:     90 * time.Second,
	}
	return &Client{base: strings.TrimRight(base, "/"), http: &http.Client{Transport: tr}}
}

// Calls is the number of calls made; Failures those that failed for another
// reason than an unknown product.
func (c *Client) Calls() int64    { return c.calls.Load() }
func (c *Client) Failures() int64 { return c.failures.Load() }

// Quote returns the current price and stock of sku.
func (c *Client) Quote(ctx context.Context, sku string) (Quote, error) {
	c.calls.Add(1)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/items/"+url.PathEscape(sku), nil)
	if err != nil {
		return Quote{}, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.failures.Add(1)
		return Quote{}, fmt.Errorf("pricing: quote %s: %w", sku, err)
	}
	defer resp.Body.Close() // on every path: an unclosed body keeps its connection
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return Quote{}, fmt.Errorf("pricing: quote %s: %w", sku, ErrUnknownSKU)
	case resp.StatusCode != http.StatusOK:
		c.failures.Add(1)
		return Quote{}, statusError(resp)
	}
	var q Quote
	if err := json.NewDecoder(resp.Body).Decode(&q); err != nil {
		c.failures.Add(1)
		return Quote{}, fmt.Errorf("pricing: quote %s: %w", sku, err)
	}
	return q, nil
}

// Reserve holds stock for the lines of an order and returns the reservation's id.
func (c *Client) Reserve(ctx context.Context, order string, lines []Line) (string, error) {
	c.calls.Add(1)
	body, err := json.Marshal(map[string]any{"order": order, "lines": lines})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/reservations", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		c.failures.Add(1)
		return "", fmt.Errorf("pricing: reserve %s: %w", order, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		c.failures.Add(1)
		return "", statusError(resp)
	}
	var out struct {
		Reservation string `json:"reservation"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", fmt.Errorf("pricing: reserve %s: %w", order, err)
	}
	return out.Reservation, nil
}

// CloseIdleConnections closes the connections kept for reuse.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// statusError describes an unexpected answer with the start of its body.
func statusError(resp *http.Response) error {
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	return fmt.Errorf("pricing: %s %s: %s", resp.Request.URL.Path, resp.Status, bytes.TrimSpace(msg))
}
