package main

import (
	"bytes"
	"strings"
)

// fixed remembers the request ID of each error line.
type fixed struct{}

// countError counts the errors of each request, by request ID.
func (fixed) countError(errs map[string]int, line string) {
	i := strings.Index(line, " id=") + len(" id=")
	id := strings.Clone(line[i : i+idLen]) // 16 new bytes, not a view of line
	errs[id]++
}

// keepID collects the IDs of failed requests for a report.
func (fixed) keepID(ids [][]byte, line []byte) [][]byte {
	i := bytes.Index(line, []byte(" id=")) + len(" id=")
	id := bytes.Clone(line[i : i+idLen]) // 16 new bytes, not a view of line
	return append(ids, id)
}
