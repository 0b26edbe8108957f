package work

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMapKeepsOrder(t *testing.T) {
	got, err := Map(context.Background(), 20, 4, func(_ context.Context, i int) (int, error) {
		time.Sleep(time.Duration(20-i) * 100 * time.Microsecond) // later indexes finish first
		return i * i, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i*i {
			t.Fatalf("result %d = %d, want %d", i, v, i*i)
		}
	}
}

func TestMapReturnsTheFirstError(t *testing.T) {
	boom := errors.New("boom")
	_, err := Map(context.Background(), 8, 3, func(_ context.Context, i int) (int, error) {
		if i == 5 {
			return 0, boom
		}
		return i, nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
}

func TestPoolRunsTasksAndRefusesWhenFull(t *testing.T) {
	p := NewPool(1, 1)
	block := make(chan struct{})
	started := make(chan struct{})
	if !p.TrySubmit(func(context.Context) { close(started); <-block }) {
		t.Fatal("an idle pool refused a task")
	}
	<-started
	if !p.TrySubmit(func(context.Context) {}) {
		t.Fatal("a pool with room in its queue refused a task")
	}
	if p.TrySubmit(func(context.Context) {}) {
		t.Fatal("a full pool took a task")
	}
	close(block)
	p.Close()
	if p.Done() != 2 || p.Rejected() != 1 {
		t.Fatalf("done %d, rejected %d; want 2 and 1", p.Done(), p.Rejected())
	}
}
