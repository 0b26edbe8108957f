// Pattern: fan-out lookups (service discovery, DNS) into a results channel buffered
// for "enough" answers; the caller takes the first two and returns, the rest block once
// the buffer is full.
// expect: leak
// category: channel, main-returns-immediately
// site: main.lookupAll.func1 | chan send | proven

package main

import "fmt"

func lookupAll(hosts []string) []string {
	results := make(chan string, 2)
	for _, h := range hosts {
		go func() { results <- h + ":10.0.0.1" }()
	}
	return []string{<-results, <-results}
}

func main() {
	fmt.Println(lookupAll([]string{"a", "b", "c", "d", "e", "f"}))
}
