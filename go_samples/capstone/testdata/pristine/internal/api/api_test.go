package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"goleaklab/samples/capstone/internal/catalog"
	"goleaklab/samples/capstone/internal/inventory"
	"goleaklab/samples/capstone/internal/metrics"
	"goleaklab/samples/capstone/internal/pricing"
)

func newShop(t *testing.T) http.Handler {
	inv, err := inventory.Start(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inv.Close() })
	s := New(DefaultConfig(catalog.Generate(200, 1), pricing.New(inv.URL()), metrics.New()))
	t.Cleanup(s.Close)
	return s.Handler()
}

func call(t *testing.T, h http.Handler, method, path, session, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("X-Session", session)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: not JSON: %q", method, path, rec.Body.String())
	}
	return rec.Code, out
}

func TestProductPages(t *testing.T) {
	h := newShop(t)
	if code, out := call(t, h, "GET", "/products/SKU-00001", "s", ""); code != 200 || out["price_cents"].(float64) <= 0 {
		t.Fatalf("product: %d %v", code, out)
	}
	if code, _ := call(t, h, "GET", "/products/SKU-00003", "s", ""); code != 404 {
		t.Fatalf("a retired product: %d, want 404", code)
	}
	if code, _ := call(t, h, "GET", "/search?q=walnut+kettle", "s", ""); code != 200 {
		t.Fatalf("search: %d", code)
	}
}

func TestCheckout(t *testing.T) {
	h := newShop(t)
	if code, _ := call(t, h, "POST", "/checkout", "s", "{}"); code != 422 {
		t.Fatalf("an empty cart: %d, want 422", code)
	}
	for _, sku := range []string{"SKU-00001", "SKU-00003", "SKU-00004"} {
		if code, out := call(t, h, "POST", "/cart/items", "s", `{"sku":"`+sku+`","qty":2}`); code != 200 {
			t.Fatalf("add %s: %d %v", sku, code, out)
		}
	}
	if code, out := call(t, h, "POST", "/checkout", "s", "{}"); code != 409 || out["sku"] != "SKU-00003" {
		t.Fatalf("a cart with a retired product: %d %v, want 409 naming it", code, out)
	}
	code, out := call(t, h, "POST", "/checkout", "s", "{}")
	if code != 200 || out["order"] == "" || out["lines"].(float64) != 2 {
		t.Fatalf("checkout: %d %v", code, out)
	}
}
