// Command goroutine_channel serves requests that fan work out to goroutines
// over channels, in a leaky, a fixed or an exercise variant, for a while.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"
)

// variant is what leaky.go, fixed.go and exercise.go each implement.
type variant interface {
	sum(nums []int, workers int) int
	first(query func() int, timeout time.Duration) (int, bool)
}

var variants = map[string]variant{"leaky": leaky{}, "fixed": fixed{}, "exercise": exercise{}}

// serve handles one request of the chosen case.
func serve(v variant, which string, workers int) {
	if which == "fanout" || which == "both" {
		v.sum([]int{1, 2, 3, 4, 5, 6, 7, 8}, workers)
	}
	if which == "timeout" || which == "both" {
		// The query sleeps 0-2 ms and we wait 1 ms. Short sleeps often wake up most of a
		// millisecond late, so most requests time out; the labs print how many.
		v.first(func() int {
			time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
			return 42
		}, time.Millisecond)
	}
}

// load serves rate requests per second until duration is over.
func load(v variant, which string, workers, rate int, duration time.Duration) int {
	start, n := time.Now(), 0
	for time.Since(start) < duration {
		serve(v, which, workers)
		n++
		if next := start.Add(time.Duration(n) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	return n
}

func main() {
	name := flag.String("variant", "leaky", "leaky, fixed or exercise")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 100, "requests per second")
	which := flag.String("case", "both", "fanout, timeout or both")
	workers := flag.Int("workers", 4, "workers per fan-out")
	flag.Parse()
	v, ok := variants[*name]
	if !ok || *rate <= 0 || (*which != "fanout" && *which != "timeout" && *which != "both") {
		fmt.Fprintln(os.Stderr, "usage: goroutine_channel -variant leaky|fixed|exercise -case fanout|timeout|both -rate N -duration D")
		os.Exit(2)
	}
	n := load(v, *which, *workers, *rate, *duration)
	fmt.Printf("%s: served %d requests\n", *name, n)
}
