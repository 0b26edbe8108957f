// Command resource_leaks runs a service that calls an upstream service over
// HTTP, runs a helper program, and looks users up in a SQLite database, in a
// leaky, a fixed or an exercise variant, for a while.
package main

import (
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // a pure-Go SQLite driver, registered as "sqlite"
)

// variant is what leaky.go, fixed.go and exercise.go each implement.
type variant interface {
	// fetch GETs url from the upstream service and reads the whole answer.
	fetch(url string) error
	// convert runs the helper program on input and returns the line it prints.
	convert(helper, input string) (string, error)
	// lookup returns the name of user id.
	lookup(db *sql.DB, id int) (string, error)
}

var variants = map[string]variant{"leaky": leaky{}, "fixed": fixed{}, "exercise": exercise{}}

var (
	errNotFound = errors.New("no such user")
	errDisabled = errors.New("user disabled")
)

// counter counts the calls of one case that succeeded and failed, and keeps
// the first error message.
type counter struct {
	ok, failed atomic.Int64
	mu         sync.Mutex
	first      string
}

func (c *counter) add(err error) {
	if err == nil || errors.Is(err, errNotFound) || errors.Is(err, errDisabled) {
		c.ok.Add(1)
		return
	}
	if c.failed.Add(1) == 1 {
		c.mu.Lock()
		c.first = err.Error()
		c.mu.Unlock()
	}
}

func (c *counter) String() string {
	s := fmt.Sprintf("ok %d, failed %d", c.ok.Load(), c.failed.Load())
	if c.first != "" {
		s += "; first error: " + c.first
	}
	return s
}

// lineCounter is a log destination that counts lines and keeps the first.
type lineCounter struct {
	n     atomic.Int64
	first atomic.Value
}

func (l *lineCounter) Write(p []byte) (int, error) {
	if l.n.Add(1) == 1 {
		l.first.Store(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

// upstream starts the service that fetch calls, on 127.0.0.1: it answers
// /item?id=N with a small body, and with 503 for one id in ten.
func upstream(errs io.Writer) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{ErrorLog: log.New(errs, "", 0), Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.URL.Query().Get("id"))
		if id%10 == 0 {
			http.Error(w, "busy, try again", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "item %d\n", id)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/item", nil
}

// openDB creates a SQLite database of users in dir, used through at most 8
// connections at a time.
func openDB(dir string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", filepath.Join(dir, "users.db"))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(8)
	if _, err := db.Exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, disabled BOOLEAN)"); err != nil {
		return nil, err
	}
	tx, err := db.Begin()
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for id := 1; id <= 900; id++ { // ids 901-999 do not exist; one user in five is disabled
		if _, err := tx.Exec("INSERT INTO users VALUES (?, ?, ?)", id, "user"+strconv.Itoa(id), id%5 == 0); err != nil {
			return nil, err
		}
	}
	return db, tx.Commit()
}

// every calls f(n) rate times per second until duration is over, each call
// on its own goroutine when async (as a server serves requests), and returns
// how many calls it started.
func every(rate int, duration time.Duration, async bool, f func(n int)) int {
	start, n := time.Now(), 0
	for time.Since(start) < duration {
		if async {
			go f(n)
		} else {
			f(n)
		}
		n++
		if next := start.Add(time.Duration(n) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	return n
}

func main() {
	name := flag.String("variant", "leaky", "leaky, fixed or exercise")
	which := flag.String("case", "all", "conns, exec, db or all")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	nofile := flag.Uint64("nofile", 0, "if > 0: lower RLIMIT_NOFILE (open files) to this, as ulimit -n does")
	flag.Parse()
	v, ok := variants[*name]
	cases := map[string]bool{"conns": *which == "all" || *which == "conns", "exec": *which == "all" || *which == "exec",
		"db": *which == "all" || *which == "db"}
	if !ok || !(cases["conns"] || cases["exec"] || cases["db"]) {
		fmt.Fprintln(os.Stderr, "usage: resource_leaks -variant leaky|fixed|exercise -case conns|exec|db|all [-nofile N] -duration D")
		os.Exit(2)
	}
	if *nofile > 0 {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: *nofile, Max: *nofile}); err != nil {
			fmt.Fprintln(os.Stderr, "setrlimit:", err)
			os.Exit(1)
		}
	}
	dir, err := os.MkdirTemp("", "resource_leaks-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	accept := &lineCounter{}
	url, err := upstream(accept)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	db, err := openDB(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	helper, err := exec.LookPath("echo")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var conns, runs, lookups counter
	started := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for c, on := range cases {
		if !on {
			continue
		}
		wg.Go(func() {
			var n int
			switch c {
			case "conns":
				n = every(100, *duration, false, func(n int) { conns.add(v.fetch(url + "?id=" + strconv.Itoa(n))) })
			case "exec":
				n = every(20, *duration, false, func(n int) {
					_, err := v.convert(helper, "job"+strconv.Itoa(n))
					runs.add(err)
				})
			case "db":
				n = every(50, *duration, true, func(n int) {
					_, err := v.lookup(db, 1+n%1000)
					lookups.add(err)
				})
			}
			mu.Lock()
			started[c] = n
			mu.Unlock()
		})
	}
	wg.Wait()
	if cases["conns"] {
		fmt.Printf("%s conns: fetched %d, %v; upstream accept errors %d", *name, started["conns"], &conns, accept.n.Load())
		if s, _ := accept.first.Load().(string); s != "" {
			fmt.Printf(" (first: %s)", s)
		}
		fmt.Println()
	}
	if cases["exec"] {
		fmt.Printf("%s exec: ran %d, %v\n", *name, started["exec"], &runs)
	}
	if cases["db"] {
		s := db.Stats()
		fmt.Printf("%s db: requests %d, answered %d, waiting %d; pool: open %d, in use %d, idle %d, waited %d times (%v)\n",
			*name, started["db"], lookups.ok.Load()+lookups.failed.Load(),
			int64(started["db"])-lookups.ok.Load()-lookups.failed.Load(), s.OpenConnections, s.InUse, s.Idle,
			s.WaitCount, s.WaitDuration.Round(time.Millisecond))
	}
}
