package pricing

import (
	"context"
	"errors"
	"testing"

	"goleaklab/samples/capstone/internal/inventory"
)

func TestQuoteAndReserve(t *testing.T) {
	inv, err := inventory.Start(0)
	if err != nil {
		t.Fatal(err)
	}
	defer inv.Close()
	c := New(inv.URL())
	defer c.CloseIdleConnections()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	q, err := c.Quote(ctx, "SKU-00001")
	if err != nil || q.SKU != "SKU-00001" || q.PriceCents <= 0 {
		t.Fatalf("Quote = %+v, %v", q, err)
	}
	if _, err := c.Quote(ctx, "SKU-00003"); !errors.Is(err, ErrUnknownSKU) {
		t.Fatalf("a retired product: err = %v, want ErrUnknownSKU", err)
	}
	id, err := c.Reserve(ctx, "o-1", []Line{{SKU: "SKU-00001", Qty: 2}})
	if err != nil || id == "" {
		t.Fatalf("Reserve = %q, %v", id, err)
	}
	if c.Calls() != 3 || c.Failures() != 0 {
		t.Fatalf("calls %d, failures %d", c.Calls(), c.Failures())
	}
}
