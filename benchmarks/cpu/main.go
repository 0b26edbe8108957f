// Command cpu is a fixed amount of CPU-bound work (no allocation), for measuring probe overhead.
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
)

func main() {
	rounds := flag.Int("rounds", 400_000, "hash rounds")
	flag.Parse()
	sum := sha256.Sum256([]byte("go leak lab"))
	for i := 0; i < *rounds; i++ {
		sum = sha256.Sum256(sum[:])
	}
	fmt.Printf("%x\n", sum[:4])
}
