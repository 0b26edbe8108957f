// Looks like: main parks forever in `select {}` and a consumer waits on a channel that
// only a sleeping producer holds: the classic server shape. The producer keeps
// feeding it, so nothing is leaked when the harness stops it at its deadline.
// expect: clean
// category: channel
// duration: 1.5

package main

import (
	"fmt"
	"time"
)

func produce(out chan<- string) {
	for i := 0; ; i++ {
		time.Sleep(30 * time.Millisecond)
		out <- fmt.Sprint("event ", i)
	}
}

func consume(in <-chan string) {
	n := 0
	for range in {
		n++
	}
}

func main() {
	ch := make(chan string)
	go produce(ch)
	go consume(ch)
	select {}
}
