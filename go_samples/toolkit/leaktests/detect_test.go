package leaktests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"goleaklab/samples/toolkit/leaktests/demo"
)

// event is one line of `go test -json`.
type event struct {
	Action, Package, Test, Output string
}

// TestDetectorsDetect runs the failing demonstrations in a child `go test`
// and checks that each detector catches what it should, and only that.
func TestDetectorsDetect(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child go test")
	}
	cmd := exec.Command("go", "test", "-count=1", "-json",
		"./leaky/", "./ignore/", "./limits/", "./testmain/")
	cmd.Env = append(os.Environ(), demo.Env+"=1")
	out, _ := cmd.Output() // failing tests are the point: the exit status is 1
	got := map[string]string{}
	var output strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		pkg := e.Package[strings.LastIndex(e.Package, "/")+1:]
		switch e.Action {
		case "pass", "fail", "skip":
			got[strings.TrimSuffix(pkg+"."+e.Test, ".")] = e.Action
		case "output":
			output.WriteString(e.Output)
		}
	}
	want := map[string]string{
		"leaky.TestFirstGoleak":        "fail",
		"leaky.TestSumGoleak":          "fail",
		"leaky.TestSynctest":           "fail",
		"ignore.TestClose":             "pass",
		"ignore.TestForgotClose":       "fail",
		"ignore.TestIgnoreTopFunction": "pass",
		"ignore.TestIgnoreCurrent":     "pass",
		"limits.TestSlowQueryGoleak":   "fail",
		"limits.TestSlowQuerySynctest": "pass",
		"limits.TestParallelBusy":      "pass",
		"limits.TestParallelCheck":     "fail",
		"testmain.TestLeaksQuietly":    "pass",
		"testmain":                     "fail",
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %q, want %q", name, got[name], w)
		}
	}
	for _, s := range []string{
		"found unexpected goroutines",
		"deadlock: main bubble goroutine has exited but blocked goroutines remain",
		"goleak: Errors on successful test run",
	} {
		if !strings.Contains(output.String(), s) {
			t.Errorf("no %q in the output", s)
		}
	}
	if t.Failed() {
		t.Logf("go test output:\n%s", output.String())
	}
}
