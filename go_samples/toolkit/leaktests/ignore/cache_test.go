package ignore

import (
	"testing"

	"go.uber.org/goleak"

	"goleaklab/samples/toolkit/leaktests/demo"
)

// Defers run last-in first-out: Close runs, then VerifyNone checks.
func TestClose(t *testing.T) {
	defer goleak.VerifyNone(t)
	c := New()
	defer c.Close()
	c.Put("a", "1")
}

func TestForgotClose(t *testing.T) {
	demo.Gate(t)
	defer goleak.VerifyNone(t)
	c := New()
	c.Put("a", "1")
}

// A sweeper that lives as long as the process is intended: excuse every
// goroutine whose stack has this function on top.
func TestIgnoreTopFunction(t *testing.T) {
	defer goleak.VerifyNone(t,
		goleak.IgnoreTopFunction("goleaklab/samples/toolkit/leaktests/ignore.(*Cache).sweep"))
	New().Put("a", "1")
}

// IgnoreCurrent excuses the goroutines that exist when it is called (the
// sweepers left by earlier tests) and still catches new ones.
func TestIgnoreCurrent(t *testing.T) {
	before := goleak.IgnoreCurrent()
	c := New()
	c.Close()
	if err := goleak.Find(before); err != nil {
		t.Fatalf("a closed cache left a goroutine: %v", err)
	}
	New() // not closed
	if err := goleak.Find(before); err == nil {
		t.Fatal("IgnoreCurrent hid a goroutine started after it")
	}
}
