package main

import (
	"bufio"
	"io"
	"net/http"
)

// fixed calls the service: a status check and the first line of a report.
type fixed struct{}

// status reports whether the service is up; only the status code matters.
func (fixed) status(c *http.Client, url string) (int, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	// Close ends the request. Since Go 1.27 it also reads the rest of a
	// short body itself, so the connection goes back to the pool for reuse.
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

// firstLine returns the first line of a report and ignores the rest.
func (fixed) firstLine(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer func() {
		// Close drains a rest itself only when the response declared at
		// most 256 KiB, and this report declares more: read the rest here,
		// up to a bound, so the connection can carry the next request.
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
		resp.Body.Close()
	}()
	return bufio.NewReader(resp.Body).ReadString('\n')
}
