// Pattern: Docker/Moby attach streams: a copier goroutine io.Copy()s from an io.Pipe
// whose writer is never closed when the container exits, so the copy blocks in the
// pipe's Read forever (the goroutine's entry is io.Copy itself).
// expect: leak
// category: channel
// site: io.Copy | select | proven

package main

import (
	"fmt"
	"io"
	"strings"
)

type container struct {
	stdout *io.PipeWriter
}

func attach(c *container, sink *strings.Builder) {
	pr, pw := io.Pipe()
	c.stdout = pw
	go io.Copy(sink, pr)
}

func main() {
	for i := 0; i < 2; i++ {
		c := &container{}
		var sink strings.Builder
		attach(c, &sink)
		fmt.Fprintf(c.stdout, "container %d: hello\n", i)
		// BUG: the exit path forgets c.stdout.Close()
	}
}
