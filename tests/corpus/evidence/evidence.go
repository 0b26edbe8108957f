// Package evidence gathers, outside the harness, what a corpus program's label rests on: while
// the program's main runs inside a plain `go test` (no probe, no overlay), it samples the
// goroutine count, the open file descriptors (/proc/self/fd), the live heap (runtime/metrics)
// and the goroutines per blocking site (pprof's goroutine profile), and when main has returned
// it asks goleak which goroutines are left. tests/corpus/gather_evidence.py runs it for a
// corpus program and writes the result next to it (NAME.evidence.md).
package evidence

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sort"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

type sample struct {
	t          time.Duration
	goroutines int
	fds        int
	live       uint64
	sites      map[string]int
}

var frame = regexp.MustCompile(`^#\s+0x[0-9a-f]+\s+(\S+?)\+0x[0-9a-f]+\s+(\S+):(\d+)$`)

// sites counts goroutines by their top function outside the runtime, with its file:line.
func sites() map[string]int {
	var buf bytes.Buffer
	pprof.Lookup("goroutine").WriteTo(&buf, 1)
	out := map[string]int{}
	_, text, _ := strings.Cut(buf.String(), "\n") // the "goroutine profile: total N" line
	for _, block := range strings.Split(text, "\n\n") {
		lines := strings.Split(block, "\n")
		var n int
		if _, err := fmt.Sscanf(lines[0], "%d @", &n); err != nil {
			continue
		}
		for _, ln := range lines[1:] {
			m := frame.FindStringSubmatch(strings.TrimSpace(ln))
			if m == nil || strings.HasPrefix(m[1], "runtime.") || strings.HasPrefix(m[1], "internal/") {
				continue
			}
			if strings.Contains(block, "goleaklab/corpus/evidence.") || strings.Contains(block, "testing.") {
				break // the sampler and the test's own goroutines
			}
			file := m[2][strings.LastIndex(m[2], "/")+1:]
			out[m[1]+" ("+file+":"+m[3]+")"] += n
			break
		}
	}
	return out
}

func take(start time.Time) sample {
	s := sample{t: time.Since(start), goroutines: runtime.NumGoroutine(), fds: -1, sites: sites()}
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		s.fds = len(ents) - 1 // less the descriptor reading the folder
	}
	m := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(m)
	s.live = m[0].Value.Uint64()
	return s
}

// Run runs main, sampling every 100 ms, and prints what it saw as Markdown.
func Run(t *testing.T, main func()) {
	start := time.Now()
	stop, done := make(chan struct{}), make(chan struct{})
	var rows []sample
	go func() {
		defer close(done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			rows = append(rows, take(start))
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	main()
	close(stop)
	<-done
	end := take(start)
	runtime.GC()
	after := take(start)
	fmt.Printf("Sampled every 100 ms while main ran (goroutines include the test's own, about 3):\n\n")
	fmt.Printf("| t (s) | goroutines | open fds | live heap (MB) | goroutines per top function (changes only) |\n|---|---|---|---|---|\n")
	prev := map[string]int{}
	for _, r := range append(rows, end) {
		var changed []string
		for k, v := range r.sites {
			if prev[k] != v {
				changed = append(changed, fmt.Sprintf("%s: %d", k, v))
			}
		}
		for k := range prev {
			if _, ok := r.sites[k]; !ok {
				changed = append(changed, k+": 0")
			}
		}
		sort.Strings(changed)
		prev = r.sites
		fmt.Printf("| %.1f | %d | %d | %.1f | %s |\n", r.t.Seconds(), r.goroutines, r.fds, float64(r.live)/1e6,
			strings.Join(changed, "; "))
	}
	fmt.Printf("\nAfter main returned and a GC: %d goroutines, %d open fds, live heap %.1f MB.\n\n",
		after.goroutines, after.fds, float64(after.live)/1e6)
	if err := goleak.Find(); err != nil {
		msg := err.Error()
		counts := map[string]int{}
		for _, m := range regexp.MustCompile(`Goroutine \d+ in state ([^,\n]+)[^\n]*\n(\S+)\(`).FindAllStringSubmatch(msg, -1) {
			counts[m[2]+" ["+m[1]+"]"]++
		}
		var keys []string
		for k := range counts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Printf("goleak.Find() after main returned: found unexpected goroutines:\n\n")
		for _, k := range keys {
			fmt.Printf("- %d × %s\n", counts[k], k)
		}
	} else {
		fmt.Printf("goleak.Find() after main returned: no unexpected goroutines.\n")
	}
}
