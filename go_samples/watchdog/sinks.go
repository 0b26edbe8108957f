package watchdog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"
)

// A Sink delivers alerts. Sinks run on the watchdog's goroutine, one after
// the other, so a slow sink delays the next sample.
type Sink interface {
	Send(Alert) error
}

// SinkFunc turns a function into a Sink.
type SinkFunc func(Alert) error

// Send calls f.
func (f SinkFunc) Send(a Alert) error { return f(a) }

// LogSink writes one line per alert plus one per goroutine site (nil: the
// standard logger).
func LogSink(l *log.Logger) Sink {
	if l == nil {
		l = log.Default()
	}
	return SinkFunc(func(a Alert) error {
		l.Printf("watchdog: LEAK? %s", a.Message)
		for _, s := range a.Sites {
			l.Printf("watchdog:   %6d x %s at %s", s.Count, s.Function, s.Location)
		}
		return nil
	})
}

// WebhookSink POSTs each alert as JSON to url (5 s timeout); any status
// other than 2xx is an error.
func WebhookSink(url string) Sink {
	// No kept-alive connection: alerts are rare, and idle connections
	// would leave goroutines behind.
	client := &http.Client{Timeout: 5 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true}}
	return SinkFunc(func(a Alert) error {
		body, err := json.Marshal(a)
		if err != nil {
			return err
		}
		resp, err := client.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("webhook: %w", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("webhook %s: %s", url, resp.Status)
		}
		return nil
	})
}
