package main

import (
	"context"
	"time"
)

// leaky serves the three kinds of request.
type leaky struct{}

// lookup asks the backend for key, giving it at most timeout.
func (leaky) lookup(ctx context.Context, key int, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	v, err := backend(ctx, key)
	if err != nil {
		return "", err
	}
	cancel()
	return v, nil
}

// handle serves a request while a helper keeps its session alive.
func (leaky) handle(ctx context.Context, req *request) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go leaky{}.keepAlive(ctx, req.id)
	return process(ctx, req)
}

func (leaky) keepAlive(ctx context.Context, id int) {
	t := time.NewTicker(keepAliveEvery)
	defer t.Stop()
	for range t.C {
		ping(id)
	}
}

// begin gives a request its own context, derived from the server's and
// carrying the request; the returned cancel ends it.
func (leaky) begin(server context.Context, req *request) (context.Context, context.CancelFunc) {
	return context.WithCancel(context.WithValue(server, requestKey{}, req))
}

// serve answers a request in its own context.
func (leaky) serve(server context.Context, req *request) int {
	ctx, _ := leaky{}.begin(server, req)
	return process(ctx, req)
}
