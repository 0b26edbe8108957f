// Command alloc is a fixed amount of allocation-heavy work (many short-lived objects and a
// moderate live heap), for measuring probe overhead.
package main

import (
	"flag"
	"fmt"
)

type node struct {
	next *node
	val  [6]int
}

func main() {
	rounds := flag.Int("rounds", 3_000, "rounds of 1,000 allocations")
	flag.Parse()
	live := make([]*node, 500)
	total := 0
	for r := 0; r < *rounds; r++ {
		var head *node
		for i := 0; i < 1000; i++ {
			head = &node{next: head, val: [6]int{i}}
		}
		live[r%len(live)] = head
		total += head.val[0]
	}
	fmt.Println(total)
}
