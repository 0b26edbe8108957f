package leaky

import (
	"testing"

	"goleaklab/samples/toolkit/leaktests/demo"
)

// Every test of this package fails on purpose.
func TestMain(m *testing.M) { demo.Main(m) }
