package watchdog

import (
	"fmt"
	"log"
	"time"
)

// An Option changes how the watchdog samples, decides and alerts.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	every, window, cooldown time.Duration
	minGoroutines, minHeap  float64 // per minute; 0 turns the metric off
	alpha                   float64
	sites, confirm          int
	sinks                   []Sink
	onError                 func(error)
	read                    func() (goroutines, heapLive float64)
	now                     func() time.Time
}

func defaults() config {
	return config{
		every:         time.Second,
		window:        2 * time.Minute,
		minGoroutines: 10,
		minHeap:       1 << 20,
		alpha:         0.001,
		sites:         5,
		onError:       func(err error) { log.Printf("watchdog: %v", err) },
		read:          readRuntime,
		now:           time.Now,
	}
}

// Every sets how often the runtime is sampled (default 1 s).
func Every(d time.Duration) Option { return optionFunc(func(c *config) { c.every = d }) }

// Window sets how much history the trend test looks at (default 2 min).
// A leak is reported at the earliest one window after Start. Make it at
// least twice as long as the program's warm-up (growth that stops is told
// from a leak by the newest half of the window being flat), and long
// compared with the swings of its load: the test assumes independent
// samples, and a load that wanders slowly looks like a trend over a
// short window.
func Window(d time.Duration) Option { return optionFunc(func(c *config) { c.window = d }) }

// MinGoroutineGrowth sets the smallest growth worth an alert, in
// goroutines per minute (default 10); 0 stops watching goroutines.
func MinGoroutineGrowth(perMinute float64) Option {
	return optionFunc(func(c *config) { c.minGoroutines = perMinute })
}

// MinHeapGrowth sets the smallest live-heap growth worth an alert, in bytes
// per minute (default 1 MiB); 0 stops watching the heap.
func MinHeapGrowth(bytesPerMinute float64) Option {
	return optionFunc(func(c *config) { c.minHeap = bytesPerMinute })
}

// Significance sets the p-value below which a rise counts as a trend
// (default 0.001): smaller means fewer false alarms and later alerts.
func Significance(alpha float64) Option { return optionFunc(func(c *config) { c.alpha = alpha }) }

// Confirm sets how many samples in a row must pass the trend test before
// an alert (default: a quarter of the window, at least 3). One passing
// test is not enough: neighbouring windows share most of their samples,
// so a chance rise passes several tests in a row.
func Confirm(n int) Option { return optionFunc(func(c *config) { c.confirm = n }) }

// Cooldown sets the quiet time after an alert on a metric (default: one
// window).
func Cooldown(d time.Duration) Option { return optionFunc(func(c *config) { c.cooldown = d }) }

// Sites sets how many goroutine sites an alert carries (default 5).
func Sites(n int) Option { return optionFunc(func(c *config) { c.sites = n }) }

// AlertTo adds sinks; each alert goes to every sink in turn.
func AlertTo(sinks ...Sink) Option {
	return optionFunc(func(c *config) { c.sinks = append(c.sinks, sinks...) })
}

// OnError sets what happens when a sink fails (default: log.Printf).
func OnError(f func(error)) Option { return optionFunc(func(c *config) { c.onError = f }) }

func (c *config) check() error {
	switch {
	case c.every <= 0:
		return fmt.Errorf("watchdog: Every(%v): the interval must be positive", c.every)
	case c.window < 8*c.every:
		return fmt.Errorf("watchdog: Window(%v) holds fewer than 8 samples at Every(%v)", c.window, c.every)
	case c.alpha <= 0 || c.alpha >= 0.5:
		return fmt.Errorf("watchdog: Significance(%v): use a p-value in (0, 0.5)", c.alpha)
	case c.minGoroutines < 0 || c.minHeap < 0:
		return fmt.Errorf("watchdog: minimum growth cannot be negative")
	case c.minGoroutines == 0 && c.minHeap == 0:
		return fmt.Errorf("watchdog: nothing to watch: both minimum growths are 0")
	case c.sites < 0:
		return fmt.Errorf("watchdog: Sites(%d) cannot be negative", c.sites)
	case c.confirm < 0:
		return fmt.Errorf("watchdog: Confirm(%d) cannot be negative", c.confirm)
	}
	if c.confirm == 0 {
		c.confirm = max(3, int(c.window/c.every)/4)
	}
	if c.cooldown <= 0 {
		c.cooldown = c.window
	}
	return nil
}
