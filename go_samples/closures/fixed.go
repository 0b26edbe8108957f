package main

import "time"

// fixed leaves the same closures behind, but each one captures only the
// string it needs: the upload, body included, is garbage when serve returns.
type fixed struct{}

// onDelete registers what to do when the upload is deleted. The hook table
// belongs to the service and lives as long as it does.
func (fixed) onDelete(hooks map[string]func() string, u *upload) {
	path := u.Path // copy out the one field the hook needs
	hooks[u.ID] = func() string {
		return "rm " + path
	}
}

// cleanupLater hands a job to the janitor goroutine, which keeps it until
// shutdown.
func (fixed) cleanupLater(jobs chan<- func() string, u *upload) {
	path := u.Path
	jobs <- func() string {
		return "rm " + path
	}
}

// expire drops the upload's cache entry after ttl. Until the timer fires,
// the runtime holds the function, and the function holds only id.
func (fixed) expire(c *cache, u *upload, ttl time.Duration) {
	id := u.ID
	time.AfterFunc(ttl, func() {
		c.delete(id)
	})
}
