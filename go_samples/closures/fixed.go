package main

import "time"

// fixed leaves one small closure per upload in a long-lived place: a hook
// table, the janitor's queue or a pending timer.
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
	path := u.Path // the job keeps this string, not the upload
	jobs <- func() string {
		return "rm " + path
	}
}

// expire drops the upload's cache entry after ttl.
func (fixed) expire(c *cache, u *upload, ttl time.Duration) {
	id := u.ID // the timer's function keeps this string, not the upload
	time.AfterFunc(ttl, func() {
		c.delete(id)
	})
}
