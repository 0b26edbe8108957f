// Pattern: per-upload goroutines that hold a read buffer and block forever on an
// unbuffered progress channel nobody drains (Docker image push/pull progress style):
// the goroutine count and the live heap grow together.
// expect: leak
// category: heap, channel
// duration: 3
// heap: growing
// site: main.upload | chan send | proven

package main

import "time"

var chunkSize = 32 << 10
var sum int

func upload(id int, progress chan<- int) {
	buf := make([]byte, chunkSize)
	for i := range buf {
		buf[i] = byte(id)
	}
	progress <- len(buf)    // BUG: nobody reads progress
	for _, b := range buf { // the buffer is still needed after the send
		sum += int(b)
	}
}

func main() {
	for id := 0; ; id++ {
		go upload(id, make(chan int))
		time.Sleep(time.Millisecond)
	}
}
