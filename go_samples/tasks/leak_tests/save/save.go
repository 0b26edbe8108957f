// Package save is the parallel save of go_samples/goroutine_blocking as a
// library: Save writes parts on one goroutine each and returns the first
// error. leaky.go (built with -tags leaky) and fixed.go hold the two
// versions.
package save
