// Looks like: a net/http server and keep-alive client leave connection goroutines
// (serve loops, persistConn read/write loops) blocked on I/O and channels. Shutdown()
// and CloseIdleConnections() end all of them before main returns.
// expect: clean
// category: channel

package main

import (
	"context"
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
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	})}
	go srv.Serve(ln)
	client := &http.Client{Transport: &http.Transport{}}
	for i := 0; i < 5; i++ {
		resp, err := client.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			panic(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	client.CloseIdleConnections()
	fmt.Println("shutdown:", srv.Shutdown(context.Background()))
}
