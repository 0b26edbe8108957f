package main

import (
	"container/list"
	"runtime"
	"sync"
	"weak"
)

// fixed serves reports, events and documents from package-level state.
type fixed struct{}

// fixedReports caches rendered reports by key: the 16 most recently used.
var fixedReports, fixedLRU = map[string]*list.Element{}, list.New() // most recent first

func (fixed) report(key string, render func(string) *result) *result {
	if e, ok := fixedReports[key]; ok {
		fixedLRU.MoveToFront(e)
		return e.Value.(*result)
	}
	r := render(key)
	fixedReports[key] = fixedLRU.PushFront(r)
	if fixedLRU.Len() > 16 { // full: evict the least recently used
		delete(fixedReports, fixedLRU.Remove(fixedLRU.Back()).(*result).key)
	}
	return r
}

// fixedListeners are called on every event, until they unsubscribe.
var fixedListeners, fixedNextID = map[int]func(event){}, 0

func (fixed) subscribe(f func(event)) (unsubscribe func()) {
	id := fixedNextID
	fixedNextID++
	fixedListeners[id] = f
	return func() { delete(fixedListeners, id) }
}

func (fixed) publish(e event) {
	for _, f := range fixedListeners {
		f(e)
	}
}

// watch shows events to one client while work runs.
func (v fixed) watch(work func()) {
	s := newScreen()
	unsubscribe := v.subscribe(func(e event) { s.show(e) })
	defer unsubscribe() // the registry drops the closure, and with it s
	work()
}

// fixedDocs lets readers of the same document share one copy. A weak
// pointer finds d while someone uses it, but does not keep d alive.
var fixedDocs = struct {
	sync.Mutex
	m map[string]weak.Pointer[doc]
}{m: map[string]weak.Pointer[doc]{}}

func (fixed) open(id string, load func(string) *doc) *doc {
	fixedDocs.Lock()
	defer fixedDocs.Unlock()
	if d := fixedDocs.m[id].Value(); d != nil { // nil once d was collected
		return d
	}
	d := load(id)
	fixedDocs.m[id] = weak.Make(d)
	runtime.AddCleanup(d, func(id string) { // runs after the GC collected d
		fixedDocs.Lock()
		defer fixedDocs.Unlock()
		if fixedDocs.m[id].Value() == nil { // not loaded again meanwhile
			delete(fixedDocs.m, id)
		}
	}, id)
	return d
}

func (fixed) indexed() int {
	fixedDocs.Lock()
	defer fixedDocs.Unlock()
	return len(fixedDocs.m)
}
