package watchdog

import (
	"bytes"
	"encoding/json"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func sample() Alert {
	return Alert{Metric: Goroutines, Message: "goroutines growing +5.0 goroutines/s", Samples: 30,
		First: 100, Last: 250, Trend: Trend{S: 400, Z: 7, Slope: 5},
		Sites: []Site{{Count: 150, Function: "main.leaky.send", Location: "main.go:40"}}}
}

func TestWebhookSinkPostsJSON(t *testing.T) {
	defer goleak.VerifyNone(t)
	got := make(chan Alert, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s with %q", r.Method, r.Header.Get("Content-Type"))
		}
		var a Alert
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
			t.Error(err)
		}
		got <- a
	}))
	defer srv.Close()
	if err := WebhookSink(srv.URL).Send(sample()); err != nil {
		t.Fatal(err)
	}
	a := <-got
	if a.Metric != Goroutines || a.Sites[0].Function != "main.leaky.send" || a.Trend.Slope != 5 {
		t.Fatalf("received %+v", a)
	}
}

func TestWebhookSinkReportsBadStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nope", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	err := WebhookSink(srv.URL).Send(sample())
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("err %v, want the 503 status", err)
	}
}

func TestLogSinkWritesTheMessageAndSites(t *testing.T) {
	var buf bytes.Buffer
	if err := LogSink(log.New(&buf, "", 0)).Send(sample()); err != nil {
		t.Fatal(err)
	}
	want := "watchdog: LEAK? goroutines growing +5.0 goroutines/s\nwatchdog:      150 x main.leaky.send at main.go:40\n"
	if buf.String() != want {
		t.Fatalf("got %q, want %q", buf.String(), want)
	}
}
