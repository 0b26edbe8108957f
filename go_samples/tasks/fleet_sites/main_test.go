package main

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The instance leaves goroutines behind (the test says which kinds are
// expected); the lab ranks their sites from goroutine profiles.
func TestAnInstanceLeavesGoroutinesBehind(t *testing.T) {
	before := goleak.IgnoreCurrent()
	serve(config{rate: 500, backend: 15 * time.Millisecond, timeout: 10 * time.Millisecond, watchEvery: 5, shards: 2, dial: time.Millisecond},
		300*time.Millisecond)
	time.Sleep(50 * time.Millisecond) // the shards are connected by now
	err := goleak.Find(before)
	if err == nil {
		t.Fatal("goleak found nothing left behind")
	}
	for _, want := range []string{".search.func1()", ".watch.func1()", ".(*shard).replicate("} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no %s among the goroutines left behind", want)
		}
	}
}
