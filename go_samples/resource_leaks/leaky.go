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

// leaky calls the upstream service, runs the helper and queries the database.
type leaky struct{}

func (leaky) fetch(url string) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}, Timeout: time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

func (leaky) convert(helper, input string) (string, error) {
	cmd := exec.Command(helper, input)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	return strings.TrimSpace(line), err
}

func (leaky) lookup(db *sql.DB, id int) (string, error) {
	rows, err := db.Query("SELECT name, disabled FROM users WHERE id = ?", id)
	if err != nil {
		return "", err
	}
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
	rows.Close()
	return name, nil
}
