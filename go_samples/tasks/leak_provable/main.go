// Command provable calls first, which asks three replicas and keeps the
// first answer, -n times over -duration, then main returns.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	n := flag.Int("n", 30, "calls")
	duration := flag.Duration("duration", time.Second, "spread the calls over this long")
	flag.Parse()
	if *n <= 0 {
		fmt.Fprintln(os.Stderr, "usage: provable -n N -duration D")
		os.Exit(2)
	}
	for i := range *n {
		first(i, 3)
		time.Sleep(*duration / time.Duration(*n))
	}
	fmt.Printf("first: %d calls\n", *n)
}
