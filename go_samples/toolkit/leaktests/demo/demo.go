// Package demo gates the tests that fail on purpose.
package demo

import (
	"fmt"
	"os"
	"testing"
)

// Env is the variable that turns the failing demonstrations on.
const Env = "LEAKLAB_DEMO_FAIL"

// On reports whether the failing demonstrations should run.
func On() bool { return os.Getenv(Env) != "" }

// Gate skips a test that fails on purpose, unless Env is set.
func Gate(t testing.TB) {
	t.Helper()
	if !On() {
		t.Skip("fails on purpose: set " + Env + "=1 to see it fail")
	}
}

// Main runs a package's tests only when Env is set (for packages whose
// every test fails on purpose).
func Main(m *testing.M) {
	if !On() {
		fmt.Println("demonstration package: set " + Env + "=1 to run its failing tests")
		os.Exit(0)
	}
	os.Exit(m.Run())
}
