// Looks like: a map cache filling up at start (live heap climbs fast), but it is bounded
// (LRU-ish eviction), so the live heap plateaus while the server keeps running and
// allocating short-lived garbage.
// expect: clean
// category: heap
// duration: 3

package main

import (
	"container/list"
	"fmt"
	"time"
)

const capacity = 20000

type entry struct {
	key string
	val [256]byte
}

var (
	order = list.New()
	index = map[string]*list.Element{}
)

func put(k string) {
	if e, ok := index[k]; ok {
		order.MoveToFront(e)
		return
	}
	index[k] = order.PushFront(&entry{key: k})
	if order.Len() > capacity {
		old := order.Remove(order.Back()).(*entry)
		delete(index, old.key)
	}
}

func main() {
	for n := 0; ; n++ {
		put(fmt.Sprintf("k%d", n))
		if n%500 == 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
}
