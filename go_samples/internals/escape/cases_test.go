package main

import "testing"

var (
	sinkPoint point
	sinkPtr   *point
	sinkFunc  func() int
	sinkStr   string
	sinkInt   int
)

// TestAllocs measures what the compiler decided: heap allocations per call.
func TestAllocs(t *testing.T) {
	ptrs, vals := make(chan *point, 1), make(chan point, 1)
	xs := []int{1, 2, 3}
	cases := []struct {
		name string
		f    func()
		want float64
	}{
		{"onStack()", func() { sinkInt = onStack() }, 0},
		{"returnsPointer()", func() { sinkPtr = returnsPointer() }, 1},
		{"returnsValue()", func() { sinkPoint = returnsValue() }, 0},
		{"newPoint()", func() { sinkPtr = newPoint() }, 1},
		{"readsNewPoint()", func() { sinkInt = readsNewPoint() }, 0},
		{"intoInterface(7)", func() { intoInterface(7) }, 0},
		{"intoInterface(255)", func() { intoInterface(255) }, 0},
		{"intoInterface(256)", func() { intoInterface(256) }, 1},
		{"viaFmt(1000)", func() { sinkStr = viaFmt(1000) }, 2},
		{"closureEscapes()", func() { sinkFunc = closureEscapes() }, 2},
		{"closureStays(xs)", func() { sinkInt = closureStays(xs) }, 0},
		{"constantSize()", func() { sinkInt = constantSize() }, 0},
		{"unknownSize(32)", func() { sinkInt = unknownSize(32) }, 0},
		{"unknownSize(33)", func() { sinkInt = unknownSize(33) }, 1},
		{"tooLarge()", func() { sinkInt = tooLarge() }, 1},
		{"sendPointer(ch)", func() { sendPointer(ptrs); <-ptrs }, 1},
		{"sendValue(ch)", func() { sendValue(vals); <-vals }, 0},
	}
	for _, c := range cases {
		got := testing.AllocsPerRun(200, c.f)
		t.Logf("allocs/call %-20s %g", c.name, got)
		if got != c.want {
			t.Errorf("%s: %g allocations per call, want %g", c.name, got, c.want)
		}
	}
}
