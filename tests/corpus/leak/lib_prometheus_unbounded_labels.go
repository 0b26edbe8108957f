// Pattern: a Prometheus histogram labelled with a value that is unique per request (the raw
// URL path with an ID in it). client_golang keeps one child metric per label combination for
// as long as the vector is registered: the live heap grows with every new ID (the "label
// cardinality explosion" of monitoring post-mortems).
// expect: leak
// category: library, heap
// heap: growing
// evidence: lib_prometheus_unbounded_labels.evidence.md

package main

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
	Name: "http_request_duration_seconds", Help: "Request latency.",
}, []string{"path"})

func serve(order int) {
	start := time.Now()
	path := fmt.Sprintf("/orders/%d", order) // BUG: one label value per order
	latency.WithLabelValues(path).Observe(time.Since(start).Seconds())
}

func main() {
	prometheus.MustRegister(latency)
	order := 0
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); {
		for i := 0; i < 100; i++ {
			order++
			serve(order)
		}
		time.Sleep(5 * time.Millisecond)
	}
	fmt.Println(order, "orders served")
}
