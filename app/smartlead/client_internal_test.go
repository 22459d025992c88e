package smartlead

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestAPIRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 15, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header string
		body   string
		want   time.Duration
	}{
		{"seconds", "7", "", 7 * time.Second},
		{"fractional seconds", "1.5", "", 1500 * time.Millisecond},
		{"HTTP date", "Wed, 15 Jan 2025 10:00:30 GMT", "", 30 * time.Second},
		{"HTTP date in the past", "Wed, 15 Jan 2025 09:00:00 GMT", "", 0},
		{"JSON number", "", `{"message":"slow down","retry_after":12}`, 12 * time.Second},
		{"JSON string", "", `{"retry_after":"3"}`, 3 * time.Second},
		{"nested JSON (SmartLead's 429)", "", `{"error":{"code":"RATE_LIMIT_EXCEEDED","message":"Rate limit exceeded","retry_after":30}}`, 30 * time.Second},
		{"header wins over body", "2", `{"retry_after":12}`, 2 * time.Second},
		{"garbage header, body used", "soon", `{"retry_after":4}`, 4 * time.Second},
		{"negative", "-5", "", 0},
		{"none", "", `{"message":"x"}`, 0},
		{"not JSON", "", `<html>`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("Retry-After", tt.header)
			}
			if got := apiRetryAfter(h, []byte(tt.body), now); got != tt.want {
				t.Errorf("apiRetryAfter = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAPIBackoffBounds(t *testing.T) {
	for n := range 12 {
		want := min(apiBaseBackoff<<n, apiMaxWait)
		for range 50 {
			if d := apiBackoff(n); d < want/2 || d > want {
				t.Fatalf("apiBackoff(%d) = %v, want within [%v, %v]", n, d, want/2, want)
			}
		}
	}
}

func TestAPIRouteMissing(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   bool
	}{
		{"405", 405, `{"message":"Method not allowed"}`, true},
		{"404 empty", 404, ``, true},
		{"404 Express HTML", 404, "<!DOCTYPE html>\n<html><body><pre>Cannot GET /api/v1/webhook/5</pre></body></html>", true},
		{"404 plain text", 404, "404 page not found\n", true},
		{"404 JSON without a message", 404, `{"statusCode":404}`, true},
		{"404 JSON array", 404, `[]`, true},
		{"404 JSON message", 404, `{"message":"Webhook not found"}`, false},
		{"404 JSON error naming a thing", 404, `{"error":"Campaign not found"}`, false},
		{"404 JSON router message", 404, `{"message":"Cannot POST /api/v1/webhook/create"}`, true},
		{"404 JSON bare Not Found", 404, `{"error":"Not Found"}`, true},
		{"404 nested error naming a thing", 404, `{"error":{"code":"NOT_FOUND","message":"Webhook not found"}}`, false},
		{"400", 400, `<html>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apiRouteMissing(tt.status, []byte(tt.body)); got != tt.want {
				t.Errorf("apiRouteMissing(%d, %q) = %v, want %v", tt.status, tt.body, got, tt.want)
			}
		})
	}
}

func TestNewClientDefaults(t *testing.T) {
	c := NewClient("", "k", ClientOptions{})
	if got := c.base.String(); got != DefaultBaseURL {
		t.Errorf("base %q, want %q", got, DefaultBaseURL)
	}
	if c.limiter.Limit() != rate.Every(time.Second) || c.limiter.Burst() != 10 {
		t.Errorf("limiter %v/%d, want 60 a minute with a burst of 10", c.limiter.Limit(), c.limiter.Burst())
	}
	if c.maxRetries != 4 || c.http.Timeout != 30*time.Second {
		t.Errorf("maxRetries %d timeout %v, want 4 and 30s", c.maxRetries, c.http.Timeout)
	}
	if NewClient("", "k", ClientOptions{MaxRetries: -1}).maxRetries != 0 {
		t.Error("a negative MaxRetries must mean no retries")
	}
	for _, bad := range []string{"ftp://x/api", "://", "server.smartlead.ai/api/v1"} {
		if _, err := NewClient(bad, "k", ClientOptions{}).Campaigns(context.Background()); err == nil {
			t.Errorf("base %q accepted", bad)
		}
	}
}

func TestAPISleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := apiSleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("apiSleep = %v, want context.Canceled", err)
	}
	if err := apiSleep(context.Background(), time.Microsecond); err != nil {
		t.Errorf("apiSleep = %v, want nil", err)
	}
}
