package main

import "context"

// fixed serves searches, exports and watches of a tenant's updates.
type fixed struct{ hub *hub }

func (s *fixed) search(ctx context.Context, q string) int { return rank(q, 8000) }

func (s *fixed) export(ctx context.Context, tenant string) int { return len(render(tenant, 256<<10)) }

// watch streams the tenant's updates to the client until it goes away.
func (s *fixed) watch(ctx context.Context, tenant string) {
	updates := make(chan []byte)
	s.hub.subscribe(tenant, updates)
	// Unsubscribing closes updates, which ends the stream's goroutine.
	defer s.hub.unsubscribe(tenant, updates)
	frame := make([]byte, 0, 64<<10) // one frame of the stream, reused
	go func() {
		for u := range updates {
			frame = append(frame[:0], u...)
		}
	}()
	<-ctx.Done()
}
