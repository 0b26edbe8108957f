package watchdog

import (
	"math"
	"slices"
	"time"
)

// Trend is the growth test of one series of equally spaced samples.
type Trend struct {
	S         int     `json:"s"`                // Mann-Kendall S: rising pairs minus falling pairs
	Z         float64 `json:"z"`                // S as a z-score, ties accounted for
	P         float64 `json:"p"`                // one-sided p-value of "no upward trend"
	Slope     float64 `json:"slope_per_s"`      // Theil-Sen slope over the whole series
	TailSlope float64 `json:"tail_slope_per_s"` // Theil-Sen slope over the newest half
}

// Analyze tests ys (one sample every step) for an upward trend.
//
// Mann-Kendall counts, over all pairs, how often the later sample is
// higher: it answers "is it rising?" without assuming a straight line or
// normal noise. Theil-Sen takes the median of all pairwise slopes: it
// answers "how fast?" and a few spikes cannot move it. The newest half's
// slope tells growth that goes on from growth that has levelled off.
func Analyze(ys []float64, step time.Duration) Trend {
	s, z := mannKendall(ys)
	t := Trend{S: s, Z: z, P: 0.5 * math.Erfc(z/math.Sqrt2)}
	t.Slope = theilSen(ys) / step.Seconds()
	t.TailSlope = theilSen(ys[len(ys)/2:]) / step.Seconds()
	return t
}

func mannKendall(ys []float64) (int, float64) {
	n := len(ys)
	if n < 3 {
		return 0, 0
	}
	s := 0
	for i := range n - 1 {
		for j := i + 1; j < n; j++ {
			switch {
			case ys[j] > ys[i]:
				s++
			case ys[j] < ys[i]:
				s--
			}
		}
	}
	ties := map[float64]int{}
	for _, y := range ys {
		ties[y]++
	}
	v := float64(n * (n - 1) * (2*n + 5))
	for _, c := range ties {
		v -= float64(c * (c - 1) * (2*c + 5))
	}
	v /= 18
	if v <= 0 {
		return s, 0
	}
	// Continuity correction: S moves in steps of 2.
	num := float64(s)
	switch {
	case s > 0:
		num--
	case s < 0:
		num++
	}
	return s, num / math.Sqrt(v)
}

// theilSen is the median slope per sample index.
func theilSen(ys []float64) float64 {
	n := len(ys)
	if n < 2 {
		return 0
	}
	slopes := make([]float64, 0, n*(n-1)/2)
	for i := range n - 1 {
		for j := i + 1; j < n; j++ {
			slopes = append(slopes, (ys[j]-ys[i])/float64(j-i))
		}
	}
	slices.Sort(slopes)
	m := len(slopes) / 2
	if len(slopes)%2 == 1 {
		return slopes[m]
	}
	return (slopes[m-1] + slopes[m]) / 2
}
