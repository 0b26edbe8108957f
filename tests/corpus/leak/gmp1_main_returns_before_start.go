// Pattern: fire-and-forget subscribers started just before main returns: with one P
// none of them has even started when main returns; they block (on a channel only they
// hold) once they get to run. The harness must still catch them.
// expect: leak
// category: channel, main-returns-immediately
// env: GOMAXPROCS=1
// site: main.subscribe | chan receive | proven

package main

func subscribe(topic string, updates <-chan string) {
	for u := range updates {
		_ = topic + u
	}
}

func main() {
	updates := make(chan string) // BUG: no publisher ever, never closed
	for _, t := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		go subscribe(t, updates)
	}
}
