// Command http_body starts a small HTTP server on 127.0.0.1 and calls it
// with an http.Client, in a leaky, a fixed or an exercise variant.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

// maxDrain bounds how much of an unwanted body a client reads so that its
// connection can be reused; past that, a new connection is cheaper.
const maxDrain = 1 << 20

// variant is what leaky.go, fixed.go and exercise.go each implement.
type variant interface {
	status(c *http.Client, url string) (int, error)
	firstLine(c *http.Client, url string) (string, error)
}

var variants = map[string]variant{"leaky": leaky{}, "fixed": fixed{}, "exercise": exercise{}}

// server answers /status with a short JSON line and /report with a size-byte
// report: a summary line, then rows. It counts the connections it accepts.
func server(size int, conns *atomic.Int64) *http.Server {
	report := append([]byte("summary: all systems nominal\n"),
		bytes.Repeat([]byte("row: one line of the detailed report\n"), size/37+1)...)[:size]
	mux := http.NewServeMux()
	mux.HandleFunc("/status", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	mux.HandleFunc("/report", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(report)))
		w.Write(report)
	})
	return &http.Server{Handler: mux, ConnState: func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}}
}

// run serves on a free port of 127.0.0.1 and makes rate requests per second
// of the chosen case until duration is over. It returns how many requests it
// made and how many connections the server accepted.
func run(v variant, which string, size, rate int, duration time.Duration, keepServer bool) (requests, conns int, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	var accepted atomic.Int64
	srv := server(size, &accepted)
	go srv.Serve(ln)
	tr := &http.Transport{}
	client := &http.Client{Transport: tr}
	base := "http://" + ln.Addr().String()
	start := time.Now()
	for time.Since(start) < duration {
		if which == "noclose" {
			_, err = v.status(client, base+"/status")
		} else {
			_, err = v.firstLine(client, base+"/report")
		}
		if err != nil {
			break
		}
		requests++
		if next := start.Add(time.Duration(requests) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	tr.CloseIdleConnections() // idle connections end, with their goroutines
	if !keepServer {
		srv.Close()
	}
	return requests, int(accepted.Load()), err
}

func main() {
	name := flag.String("variant", "leaky", "leaky, fixed or exercise")
	duration := flag.Duration("duration", 2*time.Second, "how long to make requests")
	rate := flag.Int("rate", 50, "requests per second")
	which := flag.String("case", "noclose", "noclose or nodrain")
	size := flag.Int("size", 512<<10, "bytes of the /report body (nodrain case)")
	keep := flag.Bool("keep-server", false, "leave the server running at the end, as a remote one would")
	flag.Parse()
	v, ok := variants[*name]
	if !ok || *rate <= 0 || *size < 64 || (*which != "noclose" && *which != "nodrain") {
		fmt.Fprintln(os.Stderr, "usage: http_body -variant leaky|fixed|exercise -case noclose|nodrain -rate N -size BYTES -duration D")
		os.Exit(2)
	}
	requests, conns, err := run(v, *which, *size, *rate, *duration, *keep)
	if err != nil {
		fmt.Fprintln(os.Stderr, "http_body:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d requests over %d connections\n", *name, requests, conns)
}
