package main

import (
	"bufio"
	"database/sql"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"time"
)

// fixed calls the upstream service, runs the helper and queries the database.
type fixed struct{}

// fixedClient is shared by every call: its Transport keeps the connections
// it opened and reuses them (a Transport per call keeps its own, forever).
var fixedClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}, Timeout: time.Second}

func (fixed) fetch(url string) error {
	client := fixedClient
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

func (fixed) convert(helper, input string) (string, error) {
	cmd := exec.Command(helper, input)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if werr := cmd.Wait(); err == nil { // Wait reaps the process and closes the pipe
		err = werr
	}
	return strings.TrimSpace(line), err
}

func (fixed) lookup(db *sql.DB, id int) (string, error) {
	rows, err := db.Query("SELECT name, disabled FROM users WHERE id = ?", id)
	if err != nil {
		return "", err
	}
	defer rows.Close() // on every path: an open Rows keeps its connection from the pool
	if !rows.Next() {
		return "", errNotFound
	}
	var name string
	var disabled bool
	if err := rows.Scan(&name, &disabled); err != nil {
		return "", err
	}
	if disabled {
		return "", errDisabled
	}
	return name, nil
}
