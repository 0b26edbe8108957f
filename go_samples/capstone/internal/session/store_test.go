package session

import (
	"testing"
	"time"
)

func TestCart(t *testing.T) {
	s := NewStore(time.Hour).Touch("a")
	s.Add("SKU-1", 1)
	s.Add("SKU-2", 2)
	if n := s.Add("SKU-1", 3); n != 2 {
		t.Fatalf("%d lines, want 2", n)
	}
	s.Remove("SKU-2")
	if c := s.Cart(); len(c) != 1 || c[0] != (Item{"SKU-1", 4}) {
		t.Fatalf("cart = %v", c)
	}
	s.Clear()
	if len(s.Cart()) != 0 {
		t.Fatal("cart not empty after Clear")
	}
}

func TestSessionEndsAfterItsTTLUnlessUsed(t *testing.T) {
	st := NewStore(200 * time.Millisecond)
	st.Touch("idle")
	used := st.Touch("used")
	for end := time.Now().Add(400 * time.Millisecond); time.Now().Before(end); {
		time.Sleep(20 * time.Millisecond)
		if st.Touch("used") != used {
			t.Fatal("a session in use was replaced")
		}
	}
	if !eventually(func() bool { return st.Expired() == 1 }) || st.Len() != 1 {
		t.Fatalf("%d sessions live, %d expired; want the idle one gone and the used one kept", st.Len(), st.Expired())
	}
	if !eventually(func() bool { return st.Len() == 0 }) {
		t.Fatalf("%d sessions live long after their ttl", st.Len())
	}
}

// eventually reports whether cond became true within two seconds.
func eventually(cond func() bool) bool {
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
