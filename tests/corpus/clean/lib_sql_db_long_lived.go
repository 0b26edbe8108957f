// Look-alike: one *sql.DB for the life of the program, queried with every Rows closed and
// every context cancelled; main returns without db.Close(), as servers and CLIs often do
// ("It is rarely necessary to close a DB"). database/sql's connection opener
// (database/sql.(*DB).connectionOpener, one per DB) is still parked in its select when main
// returns: goleak reports it, but it is a long-lived worker of a DB that is still in use,
// and nothing grows.
// expect: clean
// category: library, sql
// evidence: lib_sql_db_long_lived.evidence.md

package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite"
)

func userName(db *sql.DB, id int) string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, "SELECT id, name FROM users")
	if err != nil {
		panic(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		var name string
		rows.Scan(&n, &name)
		if n == id {
			return name
		}
	}
	return ""
}

func main() {
	dir, _ := os.MkdirTemp("", "corpus-sql-")
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, "app.db"))
	if err != nil {
		panic(err)
	}
	db.SetMaxOpenConns(4)
	db.Exec("CREATE TABLE users (id INTEGER, name TEXT); INSERT INTO users VALUES (1, 'ann'), (2, 'bob')")
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); {
		userName(db, 1)
		time.Sleep(20 * time.Millisecond)
	}
}
