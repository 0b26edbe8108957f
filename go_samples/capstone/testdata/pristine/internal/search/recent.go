package search

import (
	"container/list"
	"sync"
)

// recentResults keeps the results of the most recently used queries, up to
// a maximum number; using a query makes it the most recent. It is safe for
// concurrent use.
type recentResults struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *recentEntry, most recently used first
	byKey map[string]*list.Element
}

type recentEntry struct {
	key  string
	hits []Hit
}

func newRecentResults(max int) *recentResults {
	return &recentResults{max: max, order: list.New(), byKey: make(map[string]*list.Element)}
}

func (r *recentResults) get(key string) ([]Hit, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	el, ok := r.byKey[key]
	if !ok {
		return nil, false
	}
	r.order.MoveToFront(el)
	return el.Value.(*recentEntry).hits, true
}

func (r *recentResults) put(key string, hits []Hit) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.byKey[key]; ok {
		el.Value.(*recentEntry).hits = hits
		r.order.MoveToFront(el)
		return
	}
	r.byKey[key] = r.order.PushFront(&recentEntry{key: key, hits: hits})
	for r.order.Len() > r.max {
		r.order.Remove(r.order.Back())
	}
}

func (r *recentResults) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.order.Len()
}
