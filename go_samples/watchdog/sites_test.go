package watchdog

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func parked(ready *sync.WaitGroup, release chan struct{}) {
	ready.Done()
	<-release
}

// On the real profile of this test binary: seven goroutines parked in one
// function come out as one site, first.
func TestTopSitesCountsGoroutinesPerStack(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var ready sync.WaitGroup
	ready.Add(7)
	for range 7 {
		go parked(&ready, release)
	}
	ready.Wait()
	var sites []Site
	total := 0
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if sites, total = TopSites(3); len(sites) > 0 && sites[0].Count == 7 {
			break // all seven are parked on the channel
		}
	}
	if total < 8 || len(sites) == 0 {
		t.Fatalf("total %d, %d sites", total, len(sites))
	}
	s := sites[0]
	if s.Count != 7 || !strings.HasSuffix(s.Function, "watchdog.parked") || !strings.HasPrefix(s.Location, "sites_test.go:") {
		t.Fatalf("top site %+v, want 7 x watchdog.parked at sites_test.go", s)
	}
}

func TestParseProfileSkipsRuntimeFrames(t *testing.T) {
	text := "goroutine profile: total 3\n" +
		"2 @ 0x1 0x2 0x3\n" +
		"#\t0x47d0ed\truntime.gopark+0xcd\t/go/src/runtime/proc.go:435\n" +
		"#\t0x4a8f04\tmain.leaky.worker+0x44\t/src/leaky.go:28\n\n" +
		"1 @ 0x1\n#\t0x4a9000\tmain.main+0x10\t/src/main.go:9\n\n" +
		"1 @ 0x4948e1\n\n"
	sites, total := parseProfile(text)
	if len(sites) != 3 || sites[2].Function != "(created, not yet run)" {
		t.Fatalf("sites %+v", sites)
	}
	if total != 3 || sites[0].Count != 2 || sites[0].Function != "main.leaky.worker" ||
		sites[0].Location != "leaky.go:28" || len(sites[0].Stack) != 2 {
		t.Fatalf("total %d, sites %+v", total, sites)
	}
}
