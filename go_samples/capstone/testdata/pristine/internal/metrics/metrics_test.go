package metrics

import (
	"strings"
	"testing"
)

func TestTextRoundTrip(t *testing.T) {
	r := New()
	r.Counter(`http_requests_total{route="/search",code="200"}`).Add(3)
	r.Gauge("queue_depth", func() float64 { return 2.5 })
	RegisterProcess(r)
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	m, err := Parse(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if m[`http_requests_total{route="/search",code="200"}`] != 3 || m["queue_depth"] != 2.5 {
		t.Fatalf("parsed %v", m)
	}
	if m["go_goroutines"] < 1 || m["go_memory_total_bytes"] <= 0 { // live heap is 0 before the first GC
		t.Fatalf("runtime series missing: %v", m)
	}
}
