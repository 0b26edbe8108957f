package main

// fixed remembers only the most recent pages.
type fixed struct{}

func (fixed) serve(id int) int {
	page := render(id)
	pages[id] = page
	delete(pages, id-keep) // a bounded window: the oldest page goes
	return len(page)
}
