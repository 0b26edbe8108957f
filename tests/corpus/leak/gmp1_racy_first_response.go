// Pattern: "hedged" requests (query the primary and a replica, use whichever answers
// first, gRPC/etcd client style) with an unbuffered result channel: the loser blocks
// on its send forever. Which one loses, and when, depends on scheduling on one P.
// expect: leak
// category: channel, main-returns-immediately
// env: GOMAXPROCS=1
// repeat: 3
// min-detect: 1.0
// site: main.hedged.func1 | chan send | proven

package main

import (
	"fmt"
	"runtime"
)

func query(replica int) string {
	for i := 0; i < replica*3; i++ {
		runtime.Gosched()
	}
	return fmt.Sprint("answer from replica ", replica)
}

func hedged() string {
	res := make(chan string)
	for r := 0; r < 2; r++ {
		go func() { res <- query(r) }()
	}
	return <-res // BUG: the slower replica's send never completes
}

func main() {
	for i := 0; i < 3; i++ {
		fmt.Println(hedged())
	}
}
