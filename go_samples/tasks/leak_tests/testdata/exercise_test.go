package leaktask_test

import (
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"goleaklab/samples/tasks/leak_tests/heartbeat"
	"goleaklab/samples/tasks/leak_tests/save"
)

// Each test below must fail on the leaky code (go test -tags leaky), with
// its detector's report, and pass on the fixed code (a plain go test).
// Replace each t.Skip with the test.

// TestHeartbeatGoleak: start heartbeat.Watch, let it ping a few times, tell
// it you are done, and let goleak check that nothing is left.
func TestHeartbeatGoleak(t *testing.T) {
	t.Skip("not written yet")
}

// TestHeartbeatSynctest: the same inside a synctest bubble (fake clock).
func TestHeartbeatSynctest(t *testing.T) {
	t.Skip("not written yet")
}

// TestSaveGoleak: call save.Save so that its leak, if it has one, happens.
func TestSaveGoleak(t *testing.T) {
	t.Skip("not written yet")
}

// TestSaveSynctest: the same inside a synctest bubble.
func TestSaveSynctest(t *testing.T) {
	t.Skip("not written yet")
}

// These keep the imports in use until your tests use them; delete them then.
var (
	_ = goleak.VerifyNone
	_ = synctest.Test
	_ = time.Sleep
	_ = heartbeat.Watch
	_ = save.Save
)
