package main

import (
	"bufio"
	"net/http"
)

// exercise starts as a copy of leaky. Make it stop leaking, then run the
// check cell in labs/09_http_body.ipynb.
type exercise struct{}

// status reports whether the service is up; only the status code matters.
//
// TODO: who tells the Transport that this response is finished with?
func (exercise) status(c *http.Client, url string) (int, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// firstLine returns the first line of a report and ignores the rest.
//
// TODO: the report is 512 KiB and we read one line of it. Can the
// connection carry the next response while the rest is still unread?
func (exercise) firstLine(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	return bufio.NewReader(resp.Body).ReadString('\n')
}
