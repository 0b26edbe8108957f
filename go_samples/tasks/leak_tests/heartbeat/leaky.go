//go:build leaky

package heartbeat

import "time"

// Watch calls ping every period, on its own goroutine, until done is closed.
func Watch(ping func(), period time.Duration, done <-chan struct{}) {
	go func() {
		t := time.NewTicker(period)
		for range t.C {
			ping()
		}
	}()
}
