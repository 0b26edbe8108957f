package cache

import (
	"testing"
	"time"
)

func TestEntriesExpireAndAreSwept(t *testing.T) {
	c := New[string, int](30*time.Millisecond, 10*time.Millisecond)
	defer c.Close()
	c.Set("a", 1)
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("Get = %d, %v", v, ok)
	}
	time.Sleep(40 * time.Millisecond)
	if _, ok := c.Get("a"); ok {
		t.Fatal("an expired entry was returned")
	}
	for end := time.Now().Add(2 * time.Second); c.Len() != 0 && time.Now().Before(end); {
		time.Sleep(5 * time.Millisecond)
	}
	if n := c.Len(); n != 0 {
		t.Fatalf("%d entries left long after they expired", n)
	}
	if c.Hits() != 1 || c.Misses() != 1 {
		t.Fatalf("hits %d, misses %d", c.Hits(), c.Misses())
	}
}
