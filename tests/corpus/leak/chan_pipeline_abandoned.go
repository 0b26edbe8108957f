// Pattern: Hugo-style content pipeline (generate -> render) where the consumer stops
// after the first error/result and returns without cancelling the upstream stages.
// expect: leak
// category: channel, main-returns-immediately
// site: main.generate.func1 | chan send | proven
// site: main.render.func1 | chan send | proven

package main

import "fmt"

func generate(pages []string) <-chan string {
	out := make(chan string)
	go func() {
		for _, p := range pages {
			out <- p
		}
		close(out)
	}()
	return out
}

func render(in <-chan string) <-chan string {
	out := make(chan string)
	go func() {
		for p := range in {
			out <- "<html>" + p + "</html>"
		}
		close(out)
	}()
	return out
}

func main() {
	for html := range render(generate([]string{"a.md", "b.md", "c.md", "d.md"})) {
		fmt.Println("first page:", html)
		break // BUG: abandons both stages
	}
}
