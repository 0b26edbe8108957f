// Command logline writes the access-log lines of a service that measures
// the latency of its requests in batches: the hot path of logline.go.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
)

// maxBatch is the most latencies one batch holds.
const maxBatch = 64

// batchOf fills lat with latencies (ms) of a batch, the same for the same seed.
func batchOf(seed uint64, lat []float64) []float64 {
	p := rand.NewPCG(seed, 42)
	for i := range lat {
		u := float64(p.Uint64()>>11) / (1 << 53)
		lat[i] = 0.5 - 20*math.Log(1-u) // exponential, mean 20.5 ms
	}
	return lat
}

func main() {
	batches := flag.Int("batches", 100000, "batches to log")
	show := flag.Int("show", 3, "lines to print")
	flag.Parse()
	lat := make([]float64, maxBatch)
	buf := make([]byte, 0, 256)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b := range *batches {
		buf = line(buf[:0], b, batchOf(uint64(b), lat))
		if b < *show {
			os.Stdout.Write(buf)
		}
	}
	runtime.ReadMemStats(&after)
	fmt.Printf("%d lines, %.2f heap allocations per line\n", *batches, float64(after.Mallocs-before.Mallocs)/float64(*batches))
}
