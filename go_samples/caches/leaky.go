package main

import "sync"

// leaky serves reports, events and documents from package-level state.
type leaky struct{}

// leakyReports caches rendered reports by key.
var leakyReports = map[string]*result{}

func (leaky) report(key string, render func(string) *result) *result {
	if r, ok := leakyReports[key]; ok {
		return r
	}
	r := render(key)
	leakyReports[key] = r
	return r
}

// leakyListeners are called on every event.
var leakyListeners []func(event)

func (leaky) subscribe(f func(event)) {
	leakyListeners = append(leakyListeners, f)
}

func (leaky) publish(e event) {
	for _, f := range leakyListeners {
		f(e)
	}
}

// watch shows events to one client while work runs.
func (v leaky) watch(work func()) {
	s := newScreen()
	v.subscribe(func(e event) { s.show(e) })
	work()
}

// leakyDocs lets readers of the same document share one copy.
var leakyDocs = struct {
	sync.Mutex
	m map[string]*doc
}{m: map[string]*doc{}}

func (leaky) open(id string, load func(string) *doc) *doc {
	leakyDocs.Lock()
	defer leakyDocs.Unlock()
	if d := leakyDocs.m[id]; d != nil {
		return d
	}
	d := load(id)
	leakyDocs.m[id] = d
	return d
}

func (leaky) indexed() int {
	leakyDocs.Lock()
	defer leakyDocs.Unlock()
	return len(leakyDocs.m)
}
