//go:build leaky

package save

import "sync"

// Save writes parts in parallel and returns the first error, or nil.
func Save(parts []int, write func(int) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(parts))
	wg.Add(len(parts))
	for _, p := range parts {
		go func() {
			if err := write(p); err != nil {
				errs <- err
				return
			}
			wg.Done()
		}()
	}
	go func() {
		wg.Wait()
		close(errs)
	}()
	return <-errs
}
