package watchdog

import (
	"bufio"
	"bytes"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
)

// Site is one goroutine stack shared by Count goroutines.
type Site struct {
	Count    int      `json:"count"`
	Function string   `json:"function"` // the innermost frame outside the runtime and sync
	Location string   `json:"location"` // file.go:line of that frame
	Stack    []string `json:"stack"`    // "function file.go:line", innermost first (the profile omits runtime frames)
}

// TopSites returns the n stacks holding the most goroutines, from the
// goroutine profile (debug=1), and the total number of goroutines.
func TopSites(n int) ([]Site, int) {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		return nil, 0
	}
	sites, total := parseProfile(buf.String())
	return sites[:min(n, len(sites))], total
}

// parseProfile reads the text goroutine profile:
//
//	goroutine profile: total 7
//	5 @ 0x47d0ee 0x4117e5 ...
//	#	0x4a8f04	main.worker+0x44	/src/main.go:28
func parseProfile(text string) ([]Site, int) {
	var sites []Site
	total := 0
	cur := -1 // index of the site being read
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "goroutine profile: total "):
			total, _ = strconv.Atoi(strings.TrimPrefix(line, "goroutine profile: total "))
		case strings.Contains(line, " @ 0x"):
			count, err := strconv.Atoi(line[:strings.Index(line, " ")])
			if err != nil {
				cur = -1
				continue
			}
			sites = append(sites, Site{Count: count})
			cur = len(sites) - 1
		case cur >= 0 && strings.HasPrefix(line, "#\t0x"):
			f := strings.Fields(line)
			if len(f) < 4 {
				continue
			}
			fn := f[2][:max(strings.LastIndex(f[2], "+0x"), 0)]
			loc := filepath.Base(f[3])
			s := &sites[cur]
			s.Stack = append(s.Stack, fn+" "+loc)
			if s.Function == "" && !internal(fn) {
				s.Function, s.Location = fn, loc
			}
		}
	}
	for i := range sites {
		if sites[i].Function == "" && len(sites[i].Stack) > 0 {
			sites[i].Function = sites[i].Stack[0] // only runtime frames
		} else if sites[i].Function == "" {
			sites[i].Function = "(created, not yet run)"
		}
	}
	slices.SortStableFunc(sites, func(a, b Site) int { return b.Count - a.Count })
	return sites, total
}

func internal(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/") ||
		strings.HasPrefix(fn, "sync.") || strings.HasPrefix(fn, "time.Sleep")
}
