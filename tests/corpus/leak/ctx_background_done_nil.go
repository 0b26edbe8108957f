// Pattern: a producer that "respects" cancellation with select { case out <- v: case
// <-ctx.Done(): } but is handed context.Background() (Done() is nil, that case can
// never fire) by a caller that then stops reading.
// expect: leak
// category: context, channel
// site: main.produce | select | proven

package main

import (
	"context"
	"fmt"
)

func produce(ctx context.Context, out chan<- int) {
	for i := 0; ; i++ {
		select {
		case out <- i:
		case <-ctx.Done(): // never ready: ctx is Background
			return
		}
	}
}

func firstN(n int) []int {
	out := make(chan int)
	go produce(context.Background(), out) // BUG: no cancellable context
	var got []int
	for v := range out {
		got = append(got, v)
		if len(got) == n {
			break
		}
	}
	return got
}

func main() {
	fmt.Println(firstN(3), firstN(2))
}
