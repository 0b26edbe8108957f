package services

import (
	"runtime"
	"testing"
	"time"
)

func TestEveryServiceServes(t *testing.T) {
	for _, name := range []string{"1", "2", "3"} {
		Run(name, 20*time.Millisecond)
	}
	if len(thumbnails) == 0 || len(receipts) == 0 || runtime.NumGoroutine() < 2 {
		t.Errorf("after a short run: %d thumbnails, %d receipts, %d goroutines", len(thumbnails), len(receipts),
			runtime.NumGoroutine())
	}
}
