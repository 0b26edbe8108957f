package main

import (
	"testing"
	"time"
)

func TestPoolServesEveryJob(t *testing.T) {
	p := newPool(4)
	for n := range 100 {
		dispatch(p, n)
	}
	p.close()
}

func TestReportsLeaveGoroutinesBehind(t *testing.T) {
	j := job{route: "/report", tenant: "acme"}
	lost := 0
	for range 50 {
		if _, ok := j.fetch(time.Microsecond); !ok {
			lost++
		}
	}
	if lost == 0 {
		t.Fatal("no fetch timed out: the task has no stuck goroutines to attribute")
	}
}
