package main

import (
	"bufio"
	"net/http"
)

// leaky calls the service: a status check and the first line of a report.
type leaky struct{}

// status reports whether the service is up; only the status code matters.
func (leaky) status(c *http.Client, url string) (int, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
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
