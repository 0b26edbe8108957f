package work

import "context"

// Map calls fn for every index in [0, n), at most limit calls at a time, and
// returns the results in index order. It stops at the first error, cancels
// the calls still running and returns that error.
func Map[T any](ctx context.Context, n, limit int, fn func(ctx context.Context, i int) (T, error)) ([]T, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type result struct {
		i   int
		v   T
		err error
	}
	next := make(chan int)
	results := make(chan result)
	for range min(limit, n) {
		go func() {
			for i := range next {
				v, err := fn(ctx, i)
				results <- result{i, v, err}
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range n {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()

	out := make([]T, n)
	for range n {
		r := <-results
		if r.err != nil {
			return nil, r.err
		}
		out[r.i] = r.v
	}
	return out, nil
}
