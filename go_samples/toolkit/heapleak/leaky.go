package main

// leaky remembers every page it ever rendered.
type leaky struct{}

func (leaky) serve(id int) int {
	page := render(id)
	pages[id] = page // kept "for later", and later never comes
	return len(page)
}
