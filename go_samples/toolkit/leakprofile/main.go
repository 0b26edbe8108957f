// Command leakprofile starts goroutines that never finish, each case in a
// different way, so the goroutineleak profile can be held against the truth:
// every case except "fixed" leaves all its goroutines behind for good.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof" // /debug/pprof/goroutineleak, served only with -pprof
	"os"
	"slices"
	"strings"
	"time"
)

// cases maps a -case name to a function that starts one goroutine.
var cases = map[string]func(i int){
	"unreachable": unreachable, "fixed": fixed, "global": global,
	"closure": closure, "closure-copy": closureCopy, "param": param,
	"sleep": sleep, "io": blockedIO, "busy": busy, "ticker": ticker,
	"tiny-alone": tinyAlone, "tiny-shared": tinyShared,
}

func names() string {
	keys := make([]string, 0, len(cases))
	for k := range cases {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

func main() {
	which := flag.String("case", "unreachable", names())
	n := flag.Int("n", 100, "goroutines to start")
	duration := flag.Duration("duration", time.Second, "spread the starts over this long")
	serve := flag.Bool("pprof", false, "serve net/http/pprof on 127.0.0.1 (a free port)")
	flag.Parse()
	start, ok := cases[*which]
	if !ok || *n <= 0 {
		fmt.Fprintf(os.Stderr, "usage: leakprofile -case %s -n N -duration D [-pprof]\n", names())
		os.Exit(2)
	}
	if *serve {
		ln, err := net.Listen("tcp", "127.0.0.1:0") // loopback only, any free port
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("pprof: http://%s/debug/pprof/\n", ln.Addr())
		go http.Serve(ln, nil)
	}
	for i := range *n {
		start(i)
		time.Sleep(*duration / time.Duration(*n))
	}
	fmt.Printf("%s: started %d goroutines%s\n", *which, *n, note(*which))
}
