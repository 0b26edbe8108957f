package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The demo's contract: the watchdog alerts on leaky and stays quiet on
// fixed and on growing-then-stable.
func TestDemoVariants(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo three times")
	}
	exe := t.TempDir() + "/demo"
	if out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		variant string
		alert   bool
	}{{"leaky", true}, {"fixed", false}, {"growing-then-stable", false}} {
		out, err := exec.Command(exe, "-variant", tc.variant, "-duration", "3s").CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.variant, err, out)
		}
		text := string(out)
		if got := strings.Contains(text, "watchdog: LEAK?"); got != tc.alert {
			t.Errorf("%s: alert %v, want %v\n%s", tc.variant, got, tc.alert, text)
		}
		if tc.alert && !strings.Contains(text, "main.ask.func1") {
			t.Errorf("%s: the alert does not name the stranded sender\n%s", tc.variant, text)
		}
	}
}
