package watchdog

import (
	"strings"
	"testing"
	"time"
)

func TestDefaults(t *testing.T) {
	w, err := newWatchdog()
	if err != nil {
		t.Fatal(err)
	}
	c := w.cfg
	if c.every != time.Second || c.window != 2*time.Minute || c.cooldown != c.window ||
		c.minGoroutines != 10 || c.minHeap != 1<<20 || c.alpha != 0.001 || c.sites != 5 || c.confirm != 30 {
		t.Fatalf("defaults changed: %+v", c)
	}
	if w.n != 120 {
		t.Fatalf("window of %d samples, want 120", w.n)
	}
}

func TestOptionsApply(t *testing.T) {
	var sink SinkFunc = func(Alert) error { return nil }
	w, err := newWatchdog(Every(100*time.Millisecond), Window(3*time.Second), Cooldown(time.Second),
		MinGoroutineGrowth(60), MinHeapGrowth(0), Significance(0.01), Sites(2), Confirm(4), AlertTo(sink, sink))
	if err != nil {
		t.Fatal(err)
	}
	c := w.cfg
	if c.every != 100*time.Millisecond || w.n != 30 || c.cooldown != time.Second || c.minGoroutines != 60 ||
		c.minHeap != 0 || c.alpha != 0.01 || c.sites != 2 || c.confirm != 4 || len(c.sinks) != 2 {
		t.Fatalf("options not applied: %+v", c)
	}
}

func TestBadOptionsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		opts []Option
		want string
	}{
		{[]Option{Every(0)}, "must be positive"},
		{[]Option{Every(time.Second), Window(5 * time.Second)}, "fewer than 8 samples"},
		{[]Option{Significance(0)}, "p-value"},
		{[]Option{Significance(0.7)}, "p-value"},
		{[]Option{MinGoroutineGrowth(-1)}, "negative"},
		{[]Option{MinGoroutineGrowth(0), MinHeapGrowth(0)}, "nothing to watch"},
		{[]Option{Sites(-1)}, "negative"},
		{[]Option{Confirm(-1)}, "negative"},
	} {
		if _, err := Start(tc.opts...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d options: err %v, want one containing %q", len(tc.opts), err, tc.want)
		}
	}
}
