// Command heapleak renders a page per request and keeps some of them: all
// of them (leaky) or the last few hundred (fixed). Both allocate the
// same; only what they keep differs.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

// keep is how many recent pages fixed holds on to.
const keep = 256

// pages is the service's page cache, alive as long as the process.
var pages = map[int][]byte{}

type variant interface{ serve(id int) int }

var variants = map[string]variant{"leaky": leaky{}, "fixed": fixed{}}

// render builds an 8 kB page.
func render(id int) []byte {
	page := make([]byte, 8<<10)
	for i := range page {
		page[i] = byte(id + i)
	}
	return page
}

// load serves rate requests per second until duration is over.
func load(v variant, rate int, duration time.Duration) int {
	start, n := time.Now(), 0
	for time.Since(start) < duration {
		v.serve(n)
		n++
		time.Sleep(time.Until(start.Add(time.Duration(n) * time.Second / time.Duration(rate))))
	}
	return n
}

func main() {
	name := flag.String("variant", "leaky", "leaky or fixed")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 200, "requests per second")
	flag.Parse()
	v, ok := variants[*name]
	if !ok || *rate <= 0 {
		fmt.Fprintln(os.Stderr, "usage: heapleak -variant leaky|fixed -rate N -duration D")
		os.Exit(2)
	}
	fmt.Printf("%s: served %d requests\n", *name, load(v, *rate, *duration))
}
