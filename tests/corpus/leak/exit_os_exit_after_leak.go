// Pattern: the very common `func main() { os.Exit(run()) }` shape (Kubernetes
// component commands, Prometheus tools): run() leaks a goroutine through an early
// return, then main ends with os.Exit. The leak is as real (and as provable by the
// goroutineleak profile) as when main returns normally.
// expect: leak
// category: channel, main-returns-immediately
// site: main.run.func1 | chan send | proven

package main

import (
	"errors"
	"fmt"
	"os"
)

func validate(name string) error {
	if name == "" {
		return errors.New("empty name")
	}
	return nil
}

func run() int {
	results := make(chan string)
	go func() { results <- "expensive lookup" }()
	if err := validate(""); err != nil {
		fmt.Println("error:", err)
		return 0 // BUG: early return abandons the lookup goroutine
	}
	fmt.Println(<-results)
	return 0
}

func main() { os.Exit(run()) }
