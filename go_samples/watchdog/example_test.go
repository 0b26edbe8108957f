package watchdog_test

import (
	"log"
	"time"

	"goleaklab/samples/watchdog"
)

// Watch a service: log every alert and post it to a webhook.
func ExampleStart() {
	w, err := watchdog.Start(
		watchdog.Every(time.Second),
		watchdog.Window(5*time.Minute),  // longer than the service's warm-up
		watchdog.MinGoroutineGrowth(20), // per minute
		watchdog.MinHeapGrowth(10<<20),  // bytes per minute
		watchdog.AlertTo(watchdog.LogSink(nil), watchdog.WebhookSink("http://127.0.0.1:9/alerts")),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Stop()
	// ... serve ...
}
