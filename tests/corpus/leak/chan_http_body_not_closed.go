// Pattern: HTTP response bodies never closed (a perennial bug in exporters, API
// clients and tests of Prometheus/Kubernetes-style code): each response pins a
// keep-alive connection whose transport read/write loops wait forever, and the server
// side keeps a connection goroutine in I/O wait. All of it stays reachable through the
// network poller, so nothing is provable; it is still blocked after main returned.
// expect: leak
// category: channel, main-returns-immediately
// site: net/http.(*persistConn).readLoop | select | suspect
// site: net/http.(*persistConn).writeLoop | select | suspect
// site: net/http.(*conn).serve | IO wait | any
// site: net/http.Serve | IO wait | any

package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	for i := 0; i < 3; i++ {
		resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
		if err != nil {
			panic(err)
		}
		fmt.Println(resp.Status) // BUG: resp.Body is never read nor closed
	}
}
