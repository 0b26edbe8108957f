// Pattern: database/sql rows left open on an early return (a lookup that returns as soon as
// it finds its row, a classic in repository code). An open *sql.Rows keeps its connection
// busy, so each request opens another one (MaxOpenConns is unlimited by default): the
// SQLite file is opened again per connection, and the watcher goroutine QueryContext starts
// for a cancellable context (database/sql.(*Rows).awaitDone) waits for a context that
// lives as long as the server. Goroutines and open files grow with the requests.
// expect: leak
// category: library, sql, fds
// site: database/sql.(*Rows).awaitDone | select | any
// evidence: lib_sql_rows_not_closed.evidence.md

package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite"
)

var serverCtx, stopServer = context.WithCancel(context.Background())

func userName(db *sql.DB, id int) string {
	rows, err := db.QueryContext(serverCtx, "SELECT id, name FROM users")
	if err != nil {
		panic(err)
	}
	for rows.Next() {
		var n int
		var name string
		rows.Scan(&n, &name)
		if n == id {
			return name // BUG: rows.Close() is never called on this path
		}
	}
	rows.Close()
	return ""
}

func main() {
	dir, _ := os.MkdirTemp("", "corpus-sql-")
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, "app.db"))
	if err != nil {
		panic(err)
	}
	db.Exec("CREATE TABLE users (id INTEGER, name TEXT); INSERT INTO users VALUES (1, 'ann'), (2, 'bob')")
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); {
		userName(db, 1)
		time.Sleep(20 * time.Millisecond)
	}
	_ = stopServer
}
