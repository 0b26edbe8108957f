// Look-alike: the same Prometheus histogram and request rate, labelled with the route
// template instead of the raw path: a handful of label combinations, each made once and then
// only observed. Many allocations, a flat live heap.
// expect: clean
// category: library, heap
// evidence: lib_prometheus_bounded_labels.evidence.md

package main

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
	Name: "http_request_duration_seconds", Help: "Request latency.",
}, []string{"route"})

var routes = []string{"/orders/{id}", "/orders/{id}/items", "/users/{id}", "/healthz"}

func serve(order int) {
	start := time.Now()
	_ = fmt.Sprintf("/orders/%d", order) // the raw path is still built, for the access log
	latency.WithLabelValues(routes[order%len(routes)]).Observe(time.Since(start).Seconds())
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
