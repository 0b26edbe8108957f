// Package leaktests shows leak checks inside `go test`: goleak and
// testing/synctest, each run on a leaky and a fixed package.
//
// The tests that fail on purpose (leaky/, and a few in ignore/, limits/ and
// testmain/) are skipped unless LEAKLAB_DEMO_FAIL=1. The test in this
// folder runs them with that variable set and checks that they fail, so
// `go test ./...` passes while still proving that the detectors detect.
package leaktests
