// Package leaktask is the task of lab 18: write the goleak and synctest
// tests of two small packages, heartbeat (a ticker, as in lab 03) and save
// (a WaitGroup, as in lab 02), in exercise_test.go.
//
// Each package has a leaky and a fixed version of its function. A plain
// build uses the fixed one; `-tags leaky` builds the leaky one. The lab's
// check runs your tests both ways: each must fail on the leaky code, with
// its detector's report naming the package's goroutine, and pass on the
// fixed code.
package leaktask
