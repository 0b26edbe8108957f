package main

// record is what one request produces: 256 bytes.
type record struct {
	id   int
	vals [31]int64
}

func (r *record) fill(id int) {
	r.id = id
	for i := range r.vals {
		r.vals[i] = int64(id * i)
	}
}

func (r *record) sum() (s int64) {
	for _, v := range r.vals {
		s += v
	}
	return s
}

// byPointer hands each record to the consumer by address: r escapes,
// one 256-byte allocation per request, garbage right after.
type byPointer struct{ ch chan *record }

func (p byPointer) produce(id int) {
	var r record
	r.fill(id)
	p.ch <- &r
}

func (p byPointer) consume() (total int64) {
	for r := range p.ch {
		total += r.sum()
	}
	return total
}

func (p byPointer) close() { close(p.ch) }

// byValue hands over a copy: r stays in produce's frame.
type byValue struct{ ch chan record }

func (p byValue) produce(id int) {
	var r record
	r.fill(id)
	p.ch <- r
}

func (p byValue) consume() (total int64) {
	for r := range p.ch {
		total += r.sum()
	}
	return total
}

func (p byValue) close() { close(p.ch) }
