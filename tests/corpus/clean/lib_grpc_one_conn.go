// Look-alike: one gRPC client connection for the program, reused for every call, and a
// server on loopback; main returns without closing either. The connection's goroutines on
// both ends (transport reader in IO wait, keepalive and writer loops in select) and the
// server's accept loop are still there when main returns. goleak reports them; there is one
// connection, and nothing grows.
// expect: clean
// category: library, fds
// evidence: lib_grpc_one_conn.evidence.md

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

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go srv.Serve(ln)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		panic(err)
	}
	client := healthpb.NewHealthClient(conn)
	for i := 0; i < 40; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if _, err := client.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
			panic(err)
		}
		cancel()
		time.Sleep(35 * time.Millisecond)
	}
	fmt.Println("40 health checks on one connection")
}
