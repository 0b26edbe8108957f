// Pattern: every job registration builds its own robfig/cron/v3 scheduler and starts it, and
// nothing ever calls Stop. Each Start runs (*Cron).run in its own goroutine, which waits for
// its next tick or a stop that never comes: one more scheduler goroutine per registration.
// expect: leak
// category: library, timer
// site: github.com/robfig/cron/v3.(*Cron).run | select | any
// evidence: lib_cron_scheduler_per_job.evidence.md

package main

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

func schedule(report int) *cron.Cron {
	c := cron.New() // BUG: a scheduler per job, never stopped
	c.AddFunc("@every 1h", func() { fmt.Println("report", report) })
	c.Start()
	return c
}

func main() {
	for i := 0; i < 60; i++ {
		schedule(i)
		time.Sleep(25 * time.Millisecond)
	}
	fmt.Println("60 reports scheduled")
}
