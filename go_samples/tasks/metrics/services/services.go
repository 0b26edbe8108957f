// Package services holds three small services. Each serves requests at a
// steady rate for as long as it is asked to, and renders every answer in a
// scratch buffer that is garbage right after.
package services

import (
	"math/rand/v2"
	"time"
)

const rate = 1000 // requests per second

// Run serves requests with service name ("1", "2" or "3") for d.
func Run(name string, d time.Duration) {
	handle := map[string]func(int) []byte{"1": thumbnail, "2": order, "3": notify}[name]
	begin := time.Now()
	for n := 0; time.Since(begin) < d; n++ {
		render(handle(n))
		if next := begin.Add(time.Duration(n+1) * time.Second / rate); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
}

var sink []byte

// render writes an answer from data into a fresh scratch buffer.
func render(data []byte) {
	sink = make([]byte, 64<<10)
	copy(sink, data)
}

// thumbnails keeps the rendered thumbnail of each of the 250 products.
var thumbnails = map[int][]byte{}

func thumbnail(n int) []byte {
	id := rand.IntN(250)
	t, ok := thumbnails[id]
	if !ok {
		t = make([]byte, 64<<10)
		thumbnails[id] = t
	}
	return t
}

// receipts keeps the receipt of every order by its number.
var receipts = map[int][]byte{}

func order(n int) []byte {
	r := make([]byte, 4<<10)
	receipts[n] = r
	return r
}

// notify tells a subscriber about an event and waits for its answer when
// the event needs one.
func notify(n int) []byte {
	ack := make(chan []byte)
	go func() { ack <- []byte{byte(n)} }()
	if n%4 != 0 {
		return <-ack
	}
	return nil
}
