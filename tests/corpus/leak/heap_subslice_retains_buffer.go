// Pattern: keeping a small sub-slice of a large read buffer (a header, an ID) in a
// long-lived index: each entry pins the whole 64 KiB backing array (a known Go gotcha,
// fixed with bytes.Clone / strings.Clone).
// expect: leak
// category: heap
// duration: 3
// heap: growing

package main

import "time"

var index [][]byte

func readMessage(n int) []byte {
	buf := make([]byte, 64<<10) // what a reader returns
	buf[0] = byte(n)
	return buf
}

func ingest(n int) {
	msg := readMessage(n)
	index = append(index, msg[:16]) // BUG: pins all 64 KiB
}

func main() {
	for n := 0; ; n++ {
		ingest(n)
		if n%10 == 0 {
			time.Sleep(10 * time.Millisecond) // ~1000 messages/s
		}
	}
}
