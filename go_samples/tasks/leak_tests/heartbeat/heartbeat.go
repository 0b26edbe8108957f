// Package heartbeat is the heartbeat of go_samples/timers as a library:
// Watch pings on its own goroutine until the caller says it is done.
// leaky.go (built with -tags leaky) and fixed.go hold the two versions.
package heartbeat
