package main

import (
	"testing"

	"goleaklab/samples/watchdog"
)

// The options in tune.go must be ones the watchdog accepts.
func TestOptionsAreValid(t *testing.T) {
	w, err := watchdog.Start(options()...)
	if err != nil {
		t.Fatal(err)
	}
	w.Stop()
}
