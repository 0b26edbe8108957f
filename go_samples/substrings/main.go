// Command substrings reads a stream of long log lines and remembers the
// request ID of each error line, in a leaky, a fixed or an exercise variant.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// idLen is the length of a request ID: 16 hex digits.
const idLen = 16

// variant is what leaky.go, fixed.go and exercise.go each implement.
type variant interface {
	countError(errs map[string]int, line string)
	keepID(ids [][]byte, line []byte) [][]byte
}

var variants = map[string]variant{"leaky": leaky{}, "fixed": fixed{}, "exercise": exercise{}}

// logStream is the input: endless size-byte log lines, one in every is an
// error. Each line carries a request ID and a long payload.
type logStream struct {
	every, n, off int
	line          []byte
}

func newLogStream(size, every int) *logStream {
	line := bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz"), size/26+1)[:size]
	line[size-1] = '\n'
	return &logStream{every: every, line: line, off: size}
}

func (s *logStream) Read(p []byte) (int, error) {
	if s.off == len(s.line) { // the next line: write its header
		level := "info "
		if s.n%s.every == 0 {
			level = "error"
		}
		copy(s.line, fmt.Sprintf("level=%s id=%016x payload=", level, s.n))
		s.n, s.off = s.n+1, 0
	}
	n := copy(p, s.line[s.off:])
	s.off += n
	return n, nil
}

// kept is what the program keeps for as long as it runs: per case, a map
// from request ID to error count, or a list of request IDs.
type kept struct {
	errs map[string]int
	ids  [][]byte
}

// readLine reads one line (a new string or slice, as long as the line) and
// keeps the request ID if it is an error line. Case both takes turns.
func (k *kept) readLine(v variant, which string, in *bufio.Reader) {
	if which == "string" {
		line, _ := in.ReadString('\n')
		if strings.HasPrefix(line, "level=error") {
			v.countError(k.errs, line)
		}
		return
	}
	line, _ := in.ReadBytes('\n')
	if !bytes.HasPrefix(line, []byte("level=error")) {
		return
	}
	if which == "both" && len(k.errs) <= len(k.ids) {
		v.countError(k.errs, string(line))
		return
	}
	k.ids = v.keepID(k.ids, line)
}

// load reads rate lines per second until duration is over, and returns how
// many lines it read and how many IDs it kept.
func load(v variant, which string, size, every, rate int, duration time.Duration) (lines, ids int) {
	in := bufio.NewReaderSize(newLogStream(size, every), size+4096)
	k := &kept{errs: map[string]int{}}
	start := time.Now()
	for time.Since(start) < duration {
		k.readLine(v, which, in)
		lines++
		if next := start.Add(time.Duration(lines) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	return lines, len(k.errs) + len(k.ids)
}

func main() {
	name := flag.String("variant", "leaky", "leaky, fixed or exercise")
	duration := flag.Duration("duration", 2*time.Second, "how long to read")
	rate := flag.Int("rate", 500, "lines per second")
	which := flag.String("case", "both", "string, bytes or both")
	size := flag.Int("size", 64<<10, "bytes per log line")
	every := flag.Int("every", 10, "one line in every N is an error")
	flag.Parse()
	v, ok := variants[*name]
	if !ok || *rate <= 0 || *size < 64 || *every <= 0 || (*which != "string" && *which != "bytes" && *which != "both") {
		fmt.Fprintln(os.Stderr, "usage: substrings -variant leaky|fixed|exercise -case string|bytes|both -rate N -size BYTES -every N -duration D")
		os.Exit(2)
	}
	lines, ids := load(v, *which, *size, *every, *rate, *duration)
	fmt.Printf("%s: read %d lines, kept %d request IDs\n", *name, lines, ids)
}
