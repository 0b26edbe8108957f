// Command snippets starts goroutines that never finish, one snippet per
// -case, spread over -duration, then main returns.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// cases maps a -case name to a function that starts one goroutine.
var cases = map[string]func(i int){
	"waitgroup": waitAll, "ctx-request": watchRequest, "ctx-session": watchSession,
	"registry": subscribe, "poll": poll,
}

func names() string {
	keys := make([]string, 0, len(cases))
	for k := range cases {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

func main() {
	which := flag.String("case", "waitgroup", names())
	n := flag.Int("n", 50, "calls")
	duration := flag.Duration("duration", time.Second, "spread the calls over this long")
	flag.Parse()
	start, ok := cases[*which]
	if !ok || *n <= 0 {
		fmt.Fprintf(os.Stderr, "usage: snippets -case %s -n N -duration D\n", names())
		os.Exit(2)
	}
	for i := range *n {
		start(i)
		time.Sleep(*duration / time.Duration(*n))
	}
	fmt.Printf("%s: %d calls\n", *which, *n)
}
