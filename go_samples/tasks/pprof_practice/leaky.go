package main

import "context"

// leaky serves searches, exports and watches of a tenant's updates.
type leaky struct{ hub *hub }

func (s *leaky) search(ctx context.Context, q string) int { return rank(q, 8000) }

func (s *leaky) export(ctx context.Context, tenant string) int { return len(render(tenant, 256<<10)) }

// watch streams the tenant's updates to the client until it goes away.
func (s *leaky) watch(ctx context.Context, tenant string) {
	updates := make(chan []byte)
	s.hub.subscribe(tenant, updates)
	frame := make([]byte, 0, 64<<10) // one frame of the stream, reused
	go func() {
		for u := range updates {
			frame = append(frame[:0], u...)
		}
	}()
	<-ctx.Done()
}
