// Command goroutine_blocking serves requests that each hit one of four
// mistakes leaving goroutines blocked forever (select, nil channel,
// WaitGroup, Mutex), in a leaky, a fixed or an exercise variant, for a while.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// variant is what leaky.go, fixed.go and exercise.go each implement.
type variant interface {
	total(nums []int) int
	square(n int, wait bool) int
	save(parts []int) error
	deposit(b *bank, acct string, amount int) error
}

var variants = map[string]variant{"leaky": leaky{}, "fixed": fixed{}, "exercise": exercise{}}

var cases = []string{"select", "nilchan", "waitgroup", "mutex"}

// A bank is state that every request shares.
type bank struct {
	mu      sync.Mutex
	balance map[string]int
}

func newBank() *bank { return &bank{balance: map[string]int{}} }

// theBank lives as long as the program, as a server's state does: this
// package variable keeps it reachable.
var theBank = newBank()

var (
	errAmount   = errors.New("amount must be positive")
	errNegative = errors.New("part must not be negative")
)

// validate rejects negative parts.
func validate(p int) error {
	if p < 0 {
		return errNegative
	}
	return nil
}

// serve handles request i of one case, as a server's handler would.
func serve(v variant, which string, i int, b *bank) {
	switch which {
	case "select":
		v.total([]int{i, i + 1, i + 2})
	case "nilchan":
		v.square(i, i%2 == 0) // every other caller does not wait for the answer
	case "waitgroup":
		v.save([]int{i, i + 1, i%4 - 1}) // every fourth request has a bad part
	case "mutex":
		v.deposit(b, "alice", i%20) // every twentieth deposit is 0: an error
	}
}

// load serves rate requests per second of each case, each request on its
// own goroutine, until duration is over. It does not wait for handlers.
func load(v variant, which []string, b *bank, rate int, duration time.Duration) int {
	start, n := time.Now(), 0
	for time.Since(start) < duration {
		n++
		for _, c := range which {
			go serve(v, c, n, b)
		}
		if next := start.Add(time.Duration(n) * time.Second / time.Duration(rate)); time.Until(next) > 0 {
			time.Sleep(time.Until(next))
		}
	}
	return n
}

func main() {
	name := flag.String("variant", "leaky", "leaky, fixed or exercise")
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 100, "requests per second (per case)")
	which := flag.String("case", "all", "select, nilchan, waitgroup, mutex or all")
	flag.Parse()
	v, ok := variants[*name]
	chosen := cases
	if *which != "all" {
		chosen = []string{*which}
	}
	if !ok || *rate <= 0 || (*which != "all" && !slices.Contains(cases, *which)) {
		fmt.Fprintln(os.Stderr, "usage: goroutine_blocking -variant leaky|fixed|exercise -case select|nilchan|waitgroup|mutex|all -rate N -duration D")
		os.Exit(2)
	}
	n := load(v, chosen, theBank, *rate, *duration)
	fmt.Printf("%s: served %d requests of %s\n", *name, n, strings.Join(chosen, ", "))
}
