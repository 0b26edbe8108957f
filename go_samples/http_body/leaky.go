package main

import (
	"bufio"
	"net/http"
)

// leaky uses response bodies the way quick code often does.
type leaky struct{}

// status reports whether the service is up; only the status code matters.
func (leaky) status(c *http.Client, url string) (int, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	// The body is never closed: the connection can neither be reused nor
	// closed, and its two goroutines wait for a Close that never comes.
	return resp.StatusCode, nil
}

// firstLine returns the first line of a report and ignores the rest.
func (leaky) firstLine(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	return bufio.NewReader(resp.Body).ReadString('\n')
}
