package watchdog

import (
	"math"
	"testing"
	"time"
)

func ramp(n int, start, step float64) []float64 {
	ys := make([]float64, n)
	for i := range ys {
		ys[i] = start + step*float64(i)
	}
	return ys
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// A strictly rising series of 10: all 45 pairs rise, Var(S) = 10*9*25/18.
func TestMannKendallOnARisingSeries(t *testing.T) {
	tr := Analyze(ramp(10, 0, 1), time.Second)
	if tr.S != 45 || !near(tr.Z, 44/math.Sqrt(125), 1e-9) {
		t.Fatalf("S=%d z=%v, want 45 and %v", tr.S, tr.Z, 44/math.Sqrt(125))
	}
	if tr.P > 1e-4 {
		t.Fatalf("p=%v for a perfect rise", tr.P)
	}
}

func TestMannKendallOnFlatAndFallingSeries(t *testing.T) {
	if tr := Analyze(ramp(30, 100, 0), time.Second); tr.S != 0 || tr.Z != 0 || tr.P != 0.5 {
		t.Fatalf("flat: %+v, want S=0 z=0 p=0.5", tr)
	}
	if tr := Analyze(ramp(30, 100, -1), time.Second); tr.S >= 0 || tr.P < 0.999 {
		t.Fatalf("falling: %+v, want S<0 and p near 1", tr)
	}
}

// Ties shrink the variance: a staircase (the live heap changes only at GC)
// still counts as rising.
func TestMannKendallWithTies(t *testing.T) {
	ys := []float64{1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4}
	tr := Analyze(ys, time.Second)
	if tr.S != 54 || tr.P > 1e-3 {
		t.Fatalf("staircase: S=%d p=%v, want S=54 and p<0.001", tr.S, tr.P)
	}
}

func TestTheilSenIgnoresSpikes(t *testing.T) {
	ys := ramp(40, 10, 2)
	ys[5], ys[17], ys[30] = 5000, -3000, 9000
	if tr := Analyze(ys, time.Second); tr.Slope != 2 {
		t.Fatalf("slope %v with three spikes, want 2", tr.Slope)
	}
}

func TestSlopeIsPerSecond(t *testing.T) {
	if tr := Analyze(ramp(20, 0, 1), 100*time.Millisecond); !near(tr.Slope, 10, 1e-9) {
		t.Fatalf("slope %v per second, want 10 (1 per 100 ms sample)", tr.Slope)
	}
}

// Growth that has stopped: rising overall, flat in the newest half.
func TestTailSlopeSeesGrowthLevelOff(t *testing.T) {
	ys := append(ramp(10, 0, 5), ramp(20, 50, 0)...)
	tr := Analyze(ys, time.Second)
	if tr.Slope <= 0 || tr.TailSlope != 0 || tr.P > 1e-3 {
		t.Fatalf("%+v, want a significant rise with a flat tail", tr)
	}
}
