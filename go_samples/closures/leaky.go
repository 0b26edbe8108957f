package main

import "time"

// leaky leaves one small closure per upload in a long-lived place: a hook
// table, the janitor's queue or a pending timer.
type leaky struct{}

// onDelete registers what to do when the upload is deleted. The hook table
// belongs to the service and lives as long as it does.
func (leaky) onDelete(hooks map[string]func() string, u *upload) {
	hooks[u.ID] = func() string {
		return "rm " + u.Path
	}
}

// cleanupLater hands a job to the janitor goroutine, which keeps it until
// shutdown.
func (leaky) cleanupLater(jobs chan<- func() string, u *upload) {
	jobs <- func() string {
		return "rm " + u.Path
	}
}

// expire drops the upload's cache entry after ttl.
func (leaky) expire(c *cache, u *upload, ttl time.Duration) {
	time.AfterFunc(ttl, func() {
		c.delete(u.ID)
	})
}
