package main

import "strconv"

// lookup asks one replica for key.
func lookup(replica, key int) string {
	return strconv.Itoa(replica) + ":" + strconv.Itoa(key)
}

// first asks n replicas for key and returns the first answer; the others
// are not waited for.
func first(key, n int) string {
	answers := make(chan string)
	for r := range n {
		answer := lookup(r, key)
		go func(answer string) {
			answers <- answer
		}(answer)
	}
	return <-answers
}
