// Command containers serves short sessions that the server keeps afterwards,
// in a leaky, a fixed or an exercise variant, for a while.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

// variant is what leaky.go, fixed.go and exercise.go each implement.
type variant interface {
	flush(s *session, w io.Writer)
	finish(s *session, i int)
	login(s *session, body io.Reader)
	complete(s *session, id uint64)
	leave(s *session)
}

var variants = map[string]variant{"leaky": leaky{}, "fixed": fixed{}, "exercise": exercise{}}

// A session stays in memory after its request, so that the client can come
// back; idle, it should cost a few hundred bytes. (A real server would expire
// it after some minutes; a run here lasts seconds.) Each field is one case.
type session struct {
	out     []*frame        // reslice: frames waiting to be written
	uploads []*upload       // delete: uploads in progress
	token   []byte          // subslice: the client's token
	calls   map[uint64]call // map: calls waiting for their answer
	events  chan *event     // chanbuf: events waiting for the client
}

// sessions is the server's session store.
var sessions []*session

type frame struct{ data []byte }

type upload struct{ data []byte }

type call struct{ method, sent, deadline, tries int64 }

type event struct{ data []byte }

// body is what a client sends to log in: a 16-byte token, then 32 KiB.
var body = append([]byte("token:0123456789"), bytes.Repeat([]byte{'.'}, 32<<10)...)

// serve runs one session of the chosen case, as a client would use it.
func serve(v variant, which string, s *session) {
	if which == "reslice" || which == "all" {
		for _, burst := range []int{8, 3} { // two bursts of 4 KiB frames
			for range burst {
				s.out = append(s.out, &frame{make([]byte, 4<<10)})
			}
			v.flush(s, io.Discard)
		}
	}
	if which == "delete" || which == "all" {
		for range 8 { // eight 16 KiB uploads that finish in any order
			s.uploads = append(s.uploads, &upload{make([]byte, 16<<10)})
		}
		for len(s.uploads) > 0 {
			v.finish(s, rand.IntN(len(s.uploads)))
		}
	}
	if which == "subslice" || which == "all" {
		v.login(s, bytes.NewReader(body))
	}
	if which == "map" || which == "all" {
		s.calls = map[uint64]call{}
		for id := range uint64(512) { // a burst of calls, then every answer
			s.calls[id] = call{sent: time.Now().UnixNano()}
		}
		for id := range uint64(512) {
			v.complete(s, id)
		}
	}
	if which == "chanbuf" || which == "all" {
		s.events = make(chan *event, 32)
		for range cap(s.events) { // 1 KiB events until the buffer is full
			s.events <- &event{make([]byte, 1<<10)}
		}
		<-s.events // the client reads one, then goes away
		v.leave(s)
	}
}

// respond writes a response body. Like most of a server's allocations it is
// garbage a moment later, which keeps the GC running.
func respond(w io.Writer, n int) {
	b := make([]byte, 256<<10)
	copy(b, fmt.Sprintf("response %d\n", n))
	w.Write(b)
}

// run serves rate sessions per second until duration is over, keeping each.
func run(v variant, which string, rate int, duration time.Duration) int {
	start := time.Now()
	for n := 0; time.Since(start) < duration; n++ {
		s := &session{}
		serve(v, which, s)
		respond(io.Discard, n)
		sessions = append(sessions, s)
		if next := start.Add(time.Duration(n+1) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	return len(sessions)
}

func main() {
	name := flag.String("variant", "leaky", "leaky, fixed or exercise")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 100, "sessions per second")
	which := flag.String("case", "all", "reslice, delete, subslice, map, chanbuf or all")
	flag.Parse()
	v, ok := variants[*name]
	if !ok || *rate <= 0 || !strings.Contains(" reslice delete subslice map chanbuf all ", " "+*which+" ") {
		fmt.Fprintln(os.Stderr, "usage: containers -variant leaky|fixed|exercise -case reslice|delete|subslice|map|chanbuf|all -rate N -duration D")
		os.Exit(2)
	}
	n := run(v, *which, *rate, *duration)
	fmt.Printf("%s: served %d sessions, all kept\n", *name, n)
}
