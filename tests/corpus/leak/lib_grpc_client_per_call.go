// Pattern: a gRPC client connection made for every call and never closed (a helper that
// "dials" per request). Each grpc.ClientConn keeps a TCP connection to the server and the
// goroutines that serve it on both ends (transport reader, keepalive, writer loops) until
// Close: goroutines and open files grow with the calls. Server and client on loopback.
// expect: leak
// category: library, fds
// site: google.golang.org/grpc/internal/transport.(*http2Client).reader | IO wait | any
// evidence: lib_grpc_client_per_call.evidence.md

package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func check(addr string) string {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		panic(err)
	} // BUG: no defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		panic(err)
	}
	return resp.GetStatus().String()
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go srv.Serve(ln)
	for i := 0; i < 40; i++ {
		check(ln.Addr().String())
		time.Sleep(35 * time.Millisecond)
	}
	fmt.Println("40 health checks")
}
