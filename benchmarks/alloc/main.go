// Command alloc is a fixed amount of allocation-heavy work (many short-lived objects and a
// moderate live heap), for measuring probe overhead.
//
// With -live 100 (the default) the last 100 lists of 1,000 objects stay reachable: about 6.4 MB
// of live heap, and the GC runs about every 6.4 MB allocated. With -live 0 nothing stays
// reachable, the heap stays at the runtime's 4 MB minimum goal and the GC runs several hundred
// times a second.
package main

import (
	"flag"
	"fmt"
)

type node struct {
	next *node
	val  [6]int
}

// keep is a package variable so the compiler cannot drop the stores into it as dead
// (a local slice that is only written is removed, and its lists with it).
var keep []*node

func main() {
	rounds := flag.Int("rounds", 3_000, "rounds of 1,000 allocations")
	live := flag.Int("live", 100, "lists of 1,000 objects kept reachable")
	flag.Parse()
	keep = make([]*node, *live)
	total := 0
	for r := 0; r < *rounds; r++ {
		var head *node
		for i := 0; i < 1000; i++ {
			head = &node{next: head, val: [6]int{i}}
		}
		if len(keep) > 0 {
			keep[r%len(keep)] = head
		}
		total += head.val[0]
	}
	fmt.Println(total)
}
