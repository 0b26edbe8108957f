package main

import (
	"os"
	"testing"
)

// TestTask is the task's goal: every closed upload is freed, its session
// and its data, and the server still works. It fails as shipped; the
// lab's check runs it with LEAKLAB_CHECK_EXERCISE=1.
func TestTask(t *testing.T) {
	if os.Getenv("LEAKLAB_CHECK_EXERCISE") == "" {
		t.Skip("the task as shipped fails this test; set LEAKLAB_CHECK_EXERCISE=1 to check your server.go")
	}
	r := run(4, 10, 16<<10)
	t.Logf("%+v", r)
	if r.SessionsFree != int64(r.Closed) || r.UploadsFreed != int64(r.Closed) {
		t.Errorf("the GC freed %d sessions and %d uploads of %d closed", r.SessionsFree, r.UploadsFreed, r.Closed)
	}
	if r.UsersFound != r.Users || r.OpenIntact != r.Open {
		t.Errorf("%d of %d users still logged in with their open uploads, %d of %d open uploads intact",
			r.UsersFound, r.Users, r.OpenIntact, r.Open)
	}
}

// TestRunCountsEveryUpload checks the driver itself, whatever close does.
func TestRunCountsEveryUpload(t *testing.T) {
	r := run(2, 5, 4096)
	if r.Users != 2 || r.Closed != 8 || r.Open != 2 || r.OpenIntact != 2 {
		t.Errorf("run(2, 5, 4096) = %+v, want 2 users, 8 closed, 2 open and intact", r)
	}
}
