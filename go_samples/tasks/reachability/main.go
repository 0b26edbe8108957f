// Command reachability runs the server of server.go: users open uploads
// and close most of them. Then it forces a collection and prints, as one
// JSON line, what the GC freed and whether the server still works.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// freed counts, by kind, the closed objects the GC has collected: each
// cleanup gets a kind, never the object itself.
var freed [3]atomic.Int64

const (
	users = iota
	sessions
	uploads
)

func count(kind int) { freed[kind].Add(1) }

// result is what one run found.
type result struct {
	Users        int    `json:"users"`
	UsersFound   int    `json:"users_found"`
	UsersFreed   int64  `json:"users_freed"`
	Closed       int    `json:"closed"`
	SessionsFree int64  `json:"sessions_freed"`
	UploadsFreed int64  `json:"uploads_freed"`
	Open         int    `json:"open"`
	OpenIntact   int    `json:"open_intact"`
	UploadBytes  int    `json:"upload_bytes"`
	LiveHeap     uint64 `json:"live_heap"`
}

// run logs in nUsers users; each opens perUser uploads of size bytes and
// closes all but every fifth.
func run(nUsers, perUser, size int) result {
	collect() // cleanups of an earlier run are not this run's
	for i := range freed {
		freed[i].Store(0)
	}
	srv := newServer()
	var open []*session
	id := 0
	for i := range nUsers {
		u := srv.login(fmt.Sprintf("user%d", i))
		runtime.AddCleanup(u, count, users)
		for k := range perUser {
			s := srv.open(u, id, size)
			runtime.AddCleanup(s, count, sessions)
			runtime.AddCleanup(&s.data[0], count, uploads)
			for j := 0; j < size; j += 4096 {
				s.data[j] = byte(id)
			}
			id++
			if k%5 == 4 {
				open = append(open, s)
			} else {
				srv.close(s)
			}
		}
	}
	r := result{Users: nUsers, Closed: id - len(open), Open: len(open), UploadBytes: size}
	r.LiveHeap = collect()
	r.UsersFreed, r.SessionsFree, r.UploadsFreed = freed[users].Load(), freed[sessions].Load(), freed[uploads].Load()
	for i := range nUsers {
		if u := srv.users[fmt.Sprintf("user%d", i)]; u != nil && u.active() == perUser/5 {
			r.UsersFound++
		}
	}
	for _, s := range open {
		if !s.closed && len(s.data) == size && s.data[0] == byte(s.id) {
			r.OpenIntact++
		}
	}
	runtime.KeepAlive(open)
	return r
}

// collect runs a full GC, waits until the cleanups it queued have run, and
// returns the live heap that GC measured.
func collect() uint64 {
	runtime.GC()
	last, still := total(), time.Now()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
		if n := total(); n != last {
			last, still = n, time.Now()
		} else if time.Since(still) > 50*time.Millisecond {
			break
		}
	}
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func total() int64 { return freed[users].Load() + freed[sessions].Load() + freed[uploads].Load() }

func main() {
	nUsers := flag.Int("users", 8, "users logged in")
	perUser := flag.Int("uploads", 25, "uploads each user opens (every fifth stays open)")
	size := flag.Int("size", 64<<10, "bytes per upload")
	flag.Parse()
	if *nUsers <= 0 || *perUser < 5 || *size < 4096 {
		fmt.Fprintln(os.Stderr, "usage: reachability -users N -uploads N(>=5) -size BYTES(>=4096)")
		os.Exit(2)
	}
	json.NewEncoder(os.Stdout).Encode(run(*nUsers, *perUser, *size))
}
