package leaktask_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"goleaklab/samples/tasks/leak_tests/heartbeat"
	"goleaklab/samples/tasks/leak_tests/save"
)

var errDisk = errors.New("disk full")

// writeFailing fails on part 2: the path on which Save may strand a goroutine.
func writeFailing(p int) error {
	if p == 2 {
		return errDisk
	}
	return nil
}

func TestHeartbeatGoleak(t *testing.T) {
	defer goleak.VerifyNone(t)
	done := make(chan struct{})
	var pings atomic.Int32
	heartbeat.Watch(func() { pings.Add(1) }, time.Millisecond, done)
	time.Sleep(20 * time.Millisecond)
	close(done)
	if pings.Load() == 0 {
		t.Fatal("no ping in 20 ms")
	}
}

func TestHeartbeatSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		done := make(chan struct{})
		var pings atomic.Int32
		heartbeat.Watch(func() { pings.Add(1) }, time.Second, done)
		time.Sleep(5500 * time.Millisecond)
		close(done)
		synctest.Wait()
		if got := pings.Load(); got != 5 {
			t.Fatalf("%d pings in 5.5 s, want 5", got)
		}
	})
}

func TestSaveGoleak(t *testing.T) {
	defer goleak.VerifyNone(t)
	if err := save.Save([]int{1, 2, 3}, writeFailing); !errors.Is(err, errDisk) {
		t.Fatalf("Save = %v, want %v", err, errDisk)
	}
}

func TestSaveSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if err := save.Save([]int{1, 2, 3}, writeFailing); !errors.Is(err, errDisk) {
			t.Fatalf("Save = %v, want %v", err, errDisk)
		}
	})
}
