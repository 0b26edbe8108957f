package main

import (
	"runtime"
	"testing"
	"time"
)

const size = 16 << 10

// conns opens about 100 conns and returns how many, how many of their
// descriptors got closed, and how much the live heap grew.
func conns(v variant, cycle bool) (n int, closed int64, grew int64) {
	before, closedBefore := int64(collect()), fds.closed.Load()
	n = serve(v, 1000, size, cycle, 100*time.Millisecond)
	live := int64(collect())
	return n, fds.closed.Load() - closedBefore, live - before
}

func TestFinalizerCycleIsNeverCollected(t *testing.T) {
	n, closed, grew := conns(leaky{}, true)
	t.Logf("leaky: %d conns, %d finalizers ran, live heap +%d bytes", n, closed, grew)
	if closed != 0 || grew < int64(n*size) {
		t.Errorf("leaky: %d of %d finalizers ran and the heap grew %d bytes; want none and >= %d", closed, n, grew, n*size)
	}
}

func TestFinalizerWithoutCycleRuns(t *testing.T) {
	n, closed, grew := conns(leaky{}, false)
	t.Logf("leaky, no cycle: %d conns, %d finalizers ran, live heap %+d bytes", n, closed, grew)
	if closed != int64(n) || grew > size {
		t.Errorf("leaky without a cycle: %d of %d finalizers ran, heap grew %d bytes", closed, n, grew)
	}
}

func TestCleanupCollectsTheCycle(t *testing.T) {
	n, closed, grew := conns(fixed{}, true)
	t.Logf("fixed: %d conns, %d cleanups ran, live heap %+d bytes", n, closed, grew)
	if closed != int64(n) || grew > size {
		t.Errorf("fixed: %d of %d cleanups ran, heap grew %d bytes", closed, n, grew)
	}
}

func TestCleanupThatReachesItsObjectNeverRuns(t *testing.T) {
	n, closed, grew := conns(captures{}, true)
	t.Logf("captures: %d conns, %d cleanups ran, live heap +%d bytes", n, closed, grew)
	if closed != 0 || grew < int64(n*size) {
		t.Errorf("captures: %d of %d cleanups ran and the heap grew %d bytes; want none and >= %d", closed, n, grew, n*size)
	}
}

func TestCleanupThatClosesOverItsObjectPanics(t *testing.T) {
	defer func() {
		err := recover()
		t.Logf("AddCleanup panicked: %v", err)
		if err == nil {
			t.Error("AddCleanup accepted a cleanup that closes over its object")
		}
	}()
	c := dial(size, false)
	runtime.AddCleanup(c, func(fd int) { closeFD(c.fd) }, c.fd)
}

func TestWeakCacheHoldsOnlyWhatIsInUse(t *testing.T) {
	c := newWeak()
	held := &image{key: 1, pix: make([]byte, size)}
	c.put(1, held)
	c.put(2, &image{key: 2, pix: make([]byte, size)}) // nobody holds this one
	collect()
	time.Sleep(20 * time.Millisecond) // let the cleanups delete dead entries
	if c.get(1) != held {
		t.Error("weak cache lost an image that is still in use")
	}
	if c.get(2) != nil || c.len() != 1 {
		t.Errorf("weak cache still has %d entries; the unused image should be gone", c.len())
	}
	runtime.KeepAlive(held)
}

func TestStrongCacheKeepsEverything(t *testing.T) {
	c := newStrong()
	s := serveCache(c, 10000, 1000, 8, 64, 50*time.Millisecond, func(stats) {})
	collect()
	if c.len() != s.Misses {
		t.Errorf("strong cache has %d entries after %d misses", c.len(), s.Misses)
	}
}
