package main

import (
	"fmt"
	"os"
	"testing"
)

// want is the line as the service has always written it.
func want(batch int, lat []float64) string {
	s := append([]float64(nil), lat...)
	lo, hi := s[0], s[0]
	for _, v := range s {
		lo, hi = min(lo, v), max(hi, v)
	}
	// The median the line reports: the middle element once sorted.
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return fmt.Sprintf("batch=%d n=%d min=%.2f p50=%.2f max=%.2f\n", batch, len(s), lo, s[len(s)/2], hi)
}

func TestLineWritesTheSameLine(t *testing.T) {
	lat := make([]float64, maxBatch)
	for _, b := range []int{0, 7, 255, 256, 123456} {
		batchOf(uint64(b), lat)
		orig := append([]float64(nil), lat...)
		if got, w := string(line(nil, b, lat)), want(b, lat); got != w {
			t.Errorf("line(batch %d) = %q, want %q", b, got, w)
		}
		for i := range lat {
			if lat[i] != orig[i] {
				t.Fatalf("line changed the caller's latencies (index %d)", i)
			}
		}
	}
	if got := string(line([]byte("> "), 3, []float64{2, 1, 3})); got != "> batch=3 n=3 min=1.00 p50=2.00 max=3.00\n" {
		t.Errorf("line appends to dst: got %q", got)
	}
}

// TestLineAllocs is the task's goal: no heap allocation per line. It fails
// as shipped; the lab's check runs it with LEAKLAB_CHECK_EXERCISE=1.
func TestLineAllocs(t *testing.T) {
	lat := batchOf(1, make([]float64, maxBatch))
	buf := make([]byte, 0, 256)
	batch := 1000
	allocs := testing.AllocsPerRun(1000, func() {
		buf = line(buf[:0], batch, lat)
		batch++
	})
	t.Logf("allocs/line %g", allocs)
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("the task as shipped allocates; set LEAKLAB_CHECK_EXERCISE=1 to check your logline.go")
	}
	if allocs != 0 {
		t.Errorf("line makes %g heap allocations per call, want 0", allocs)
	}
}
