package smartlead

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry bounds. SmartLead asks for patience in seconds; anything longer than
// apiMaxWait is not waited for in-line: the error goes back to the caller
// with APIError.RetryAfter set so it can come back later.
const (
	apiBaseBackoff = 500 * time.Millisecond
	apiMaxWait     = 60 * time.Second
)

// apiShouldRetry says whether an answer with this status is worth another
// try: rate limiting and server trouble are, anything else is final.
func apiShouldRetry(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// apiBackoff is the wait before retry number n (0 for the first retry):
// exponential from apiBaseBackoff, with "equal jitter" (half fixed, half
// random) so many clients do not retry in step, capped at apiMaxWait.
func apiBackoff(n int) time.Duration {
	d := apiBaseBackoff << min(n, 16)
	if d > apiMaxWait || d <= 0 {
		d = apiMaxWait
	}
	half := d / 2
	return half + rand.N(half+1)
}

// apiRetryAfter reads how long the server asked us to wait: the Retry-After
// header in seconds or as an HTTP date, else a JSON "retry_after" in seconds,
// top-level or in the nested "error" object SmartLead's 429 bodies carry. It returns 0 when there is none.
func apiRetryAfter(h http.Header, body []byte, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
			return time.Duration(secs * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := t.Sub(now); d > 0 {
				return d
			}
			return 0
		}
	}
	var b apiErrorBody
	if json.Unmarshal(body, &b) != nil {
		return 0
	}
	if n, ok := b.nested(); ok && b.RetryAfter == nil {
		b = n // {"error": {"code": "RATE_LIMIT_EXCEEDED", "retry_after": 30}}
	}
	switch v := b.RetryAfter.(type) {
	case float64:
		if v > 0 {
			return time.Duration(v * float64(time.Second))
		}
	case string:
		if secs, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && secs > 0 {
			return time.Duration(secs * float64(time.Second))
		}
	}
	return 0
}

// apiSleep waits for d or until ctx ends, whichever comes first.
func apiSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
