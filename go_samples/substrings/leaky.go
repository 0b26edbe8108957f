package main

import (
	"bytes"
	"strings"
)

// leaky remembers the request ID of each error line.
type leaky struct{}

// countError counts the errors of each request, by request ID.
func (leaky) countError(errs map[string]int, line string) {
	i := strings.Index(line, " id=") + len(" id=")
	id := line[i : i+idLen]
	errs[id]++
}

// keepID collects the IDs of failed requests for a report.
func (leaky) keepID(ids [][]byte, line []byte) [][]byte {
	i := bytes.Index(line, []byte(" id=")) + len(" id=")
	id := line[i : i+idLen]
	return append(ids, id)
}
