package main

import (
	"context"
	"time"
)

// fixed serves the three kinds of request.
type fixed struct{}

// lookup asks the backend for key, giving it at most timeout.
func (fixed) lookup(ctx context.Context, key int, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel() // on every path: stops the timer and unlinks ctx from its parent
	v, err := backend(ctx, key)
	if err != nil {
		return "", err
	}
	return v, nil
}

// handle serves a request while a helper keeps its session alive.
func (fixed) handle(ctx context.Context, req *request) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go fixed{}.keepAlive(ctx, req.id)
	return process(ctx, req)
}

func (fixed) keepAlive(ctx context.Context, id int) {
	t := time.NewTicker(keepAliveEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done(): // cancelling only asks: the goroutine must listen
			return
		case <-t.C:
			ping(id)
		}
	}
}

// begin gives a request its own context, derived from the server's and
// carrying the request; the returned cancel ends it.
func (fixed) begin(server context.Context, req *request) (context.Context, context.CancelFunc) {
	return context.WithCancel(context.WithValue(server, requestKey{}, req))
}

// serve answers a request in its own context.
func (fixed) serve(server context.Context, req *request) int {
	ctx, cancel := fixed{}.begin(server, req)
	defer cancel() // unregisters ctx from server: ctx and req become garbage
	return process(ctx, req)
}
