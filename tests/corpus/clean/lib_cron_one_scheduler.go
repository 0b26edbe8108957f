// Look-alike: one robfig/cron/v3 scheduler for the program, started once; main returns while
// it still runs ((*Cron).run waits for its next tick in a select). goleak reports it; it is
// the scheduler's one worker and its count never grows.
// expect: clean
// category: library, timer
// evidence: lib_cron_one_scheduler.evidence.md

package main

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
)

var runs atomic.Int32

func main() {
	c := cron.New()
	for i := 0; i < 60; i++ {
		c.AddFunc("@every 1s", func() { runs.Add(1) })
		if i == 0 {
			c.Start()
		}
		time.Sleep(25 * time.Millisecond)
	}
	fmt.Println(len(c.Entries()), "jobs,", runs.Load(), "runs")
}
