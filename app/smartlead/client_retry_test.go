package smartlead_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"golang.org/x/time/rate"
)

func TestRetriesHonourRetryAfter(t *testing.T) {
	s := newFake(t, simulator.Options{})
	s.FailNext(2, http.StatusTooManyRequests)
	h := newHarness(s.URL(), s.APIKey(), 0)
	if _, err := h.c.Campaigns(context.Background()); err != nil {
		t.Fatalf("Campaigns after two 429s = %v, want success", err)
	}
	if got := h.sleeps.got(); len(got) != 2 || got[0] != time.Second || got[1] != time.Second {
		t.Errorf("waits %v, want [1s 1s] from Retry-After", got)
	}
}

func TestRetriesServerErrorsWithBackoff(t *testing.T) {
	s := newFake(t, simulator.Options{})
	s.FailNext(3, http.StatusServiceUnavailable)
	h := newHarness(s.URL(), s.APIKey(), 0)
	if _, err := h.c.Campaigns(context.Background()); err != nil {
		t.Fatalf("Campaigns after three 503s = %v, want success", err)
	}
	got := h.sleeps.got()
	if len(got) != 3 {
		t.Fatalf("waits %v, want 3", got)
	}
	for i, d := range got {
		base := 500 * time.Millisecond << i // exponential, half of it jittered
		if d < base/2 || d > base {
			t.Errorf("wait %d = %v, want within [%v, %v]", i, d, base/2, base)
		}
	}
}

func TestRetriesAreBounded(t *testing.T) {
	tests := []struct {
		name   string
		status int
		want   error
	}{
		{"rate limited", http.StatusTooManyRequests, smartlead.ErrRateLimited},
		{"server error", http.StatusBadGateway, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFake(t, simulator.Options{})
			s.FailNext(10, tt.status)
			h := newHarness(s.URL(), s.APIKey(), 2)
			_, err := h.c.Campaigns(context.Background())
			var apiErr *smartlead.APIError
			if !errors.As(err, &apiErr) || apiErr.Status != tt.status {
				t.Fatalf("Campaigns = %v, want an APIError %d", err, tt.status)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("%v does not match %v", err, tt.want)
			}
			if calls := len(s.Calls()); calls != 3 || len(h.sleeps.got()) != 2 {
				t.Errorf("%d calls and %d waits, want 3 and 2 (MaxRetries 2)", calls, len(h.sleeps.got()))
			}
		})
	}
}

func TestNoRetryOnClientErrors(t *testing.T) {
	s := newFake(t, simulator.Options{})
	h := newHarness(s.URL(), s.APIKey()+"x", 0)
	if err := h.c.ValidateKey(context.Background()); !errors.Is(err, smartlead.ErrUnauthorized) {
		t.Fatal(err)
	}
	if len(s.Calls()) != 1 || len(h.sleeps.got()) != 0 {
		t.Errorf("a 401 was retried: %d calls", len(s.Calls()))
	}
}

func TestLongRetryAfterIsLeftToTheCaller(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	h := newHarness(srv.URL, "k", 0)
	_, err := h.c.Campaigns(context.Background())
	var apiErr *smartlead.APIError
	if !errors.Is(err, smartlead.ErrRateLimited) || !errors.As(err, &apiErr) || apiErr.RetryAfter != time.Hour {
		t.Fatalf("Campaigns = %#v, want ErrRateLimited with RetryAfter 1h", err)
	}
	if len(h.sleeps.got()) != 0 {
		t.Errorf("waited %v in-line for an hour-long Retry-After", h.sleeps.got())
	}
}

// hangUp is a server that closes every connection without answering.
func hangUp(t *testing.T, attempts *atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestNetworkErrorsRetriedOnlyWhenIdempotent(t *testing.T) {
	var attempts atomic.Int32
	srv := hangUp(t, &attempts)
	h := newHarness(srv.URL, "k", 2)
	if _, err := h.c.Campaigns(context.Background()); !errors.Is(err, smartlead.ErrUnreachable) {
		t.Fatalf("GET = %v, want ErrUnreachable", err)
	}
	if got := attempts.Load(); got != 3 {
		t.Errorf("GET tried %d times, want 3", got)
	}
	attempts.Store(0)
	_, err := h.c.CreateWebhook(context.Background(), smartlead.Webhook{Name: "x", URL: "https://example.test/h"})
	if !errors.Is(err, smartlead.ErrUnreachable) {
		t.Fatalf("POST = %v, want ErrUnreachable", err)
	}
	if got := attempts.Load(); got != 1 {
		t.Errorf("POST tried %d times, want 1: a create must not be repeated blindly", got)
	}
}

func TestRetryWaitEndsWithContext(t *testing.T) {
	s := newFake(t, simulator.Options{})
	s.FailNext(5, http.StatusServiceUnavailable)
	ctx, cancel := context.WithCancel(context.Background())
	// The caller gives up while the client waits to retry.
	sleep := func(ctx context.Context, d time.Duration) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	c := smartlead.NewClient(s.URL(), s.APIKey(), smartlead.ClientOptions{Sleep: sleep, Limiter: rate.NewLimiter(rate.Inf, 0)})
	if _, err := c.Campaigns(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Campaigns = %v, want context.Canceled", err)
	}
	if len(s.Calls()) != 1 {
		t.Errorf("%d calls, want 1: no retry after the caller gave up", len(s.Calls()))
	}
}

func TestClientSideRateLimit(t *testing.T) {
	s := newFake(t, simulator.Options{})
	c := smartlead.NewClient(s.URL(), s.APIKey(), smartlead.ClientOptions{Limiter: rate.NewLimiter(rate.Every(time.Hour), 1)})
	if _, err := c.Campaigns(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.Campaigns(ctx)
	if err == nil || errors.Is(err, smartlead.ErrRateLimited) {
		t.Fatalf("second call = %v, want a wait error from the limiter", err)
	}
	if len(s.Calls()) != 1 {
		t.Errorf("%d calls reached the server, want 1", len(s.Calls()))
	}
}

func TestUnreachableHost(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	h := newHarness("http://"+addr+"/api/v1", "k", 1)
	if _, err := h.c.Campaigns(context.Background()); !errors.Is(err, smartlead.ErrUnreachable) {
		t.Fatalf("Campaigns = %v, want ErrUnreachable", err)
	}
}
