package smartlead_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
)

// leaks reports whether s shows the key or an unredacted api_key parameter.
func leaks(s, key string) bool {
	return strings.Contains(s, key) || strings.Contains(strings.ReplaceAll(s, "api_key=[redacted]", ""), "api_key=")
}

func TestAPIKeyNeverInErrorsOrLogs(t *testing.T) {
	s := newFake(t, simulator.Options{})
	key := s.APIKey()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	ln.Close()
	var hung atomic.Int32
	hang := hangUp(t, &hung)
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/campaigns": // a server quoting the request back
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"message":"bad request %s"}`, r.URL.String())
		case "/api/v1/campaigns/1/webhooks":
			w.Write([]byte(`not json ` + r.URL.RawQuery))
		default:
			http.Redirect(w, r, "http://127.0.0.1:1/elsewhere?"+r.URL.RawQuery, http.StatusFound)
		}
	}))
	defer echo.Close()

	ctx := context.Background()
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	webhook := smartlead.Webhook{ID: "999999", CampaignID: s.Campaigns()[0].ID, Name: "L", URL: "https://h.example/x"}
	tests := []struct {
		name string
		base string
		prep func()
		call func(c *smartlead.Client) error
	}{
		{"401", s.URL(), nil, func(c *smartlead.Client) error {
			return smartlead.NewClient(s.URL(), key+"-wrong", smartlead.ClientOptions{}).ValidateKey(ctx)
		}},
		{"404", s.URL(), nil, func(c *smartlead.Client) error { _, err := c.SaveCampaignWebhook(ctx, webhook); return err }},
		{"400", s.URL(), nil, func(c *smartlead.Client) error {
			_, err := c.SaveCampaignWebhook(ctx, smartlead.Webhook{CampaignID: webhook.CampaignID})
			return err
		}},
		{"429 after retries", s.URL(), func() { s.FailNext(100, 429) }, func(c *smartlead.Client) error { return c.ValidateKey(ctx) }},
		{"503 after retries", s.URL(), func() { s.FailNext(100, 503) }, func(c *smartlead.Client) error { return c.ValidateKey(ctx) }},
		{"connection refused", "http://" + closedAddr + "/api/v1", nil, func(c *smartlead.Client) error { return c.ValidateKey(ctx) }},
		{"connection dropped", hang.URL + "/api/v1", nil, func(c *smartlead.Client) error { return c.DeleteCampaignWebhook(ctx, webhook) }},
		{"server echoes the URL", echo.URL + "/api/v1", nil, func(c *smartlead.Client) error { return c.ValidateKey(ctx) }},
		{"answer not JSON", echo.URL + "/api/v1", nil, func(c *smartlead.Client) error { _, err := c.CampaignWebhooks(ctx, "1"); return err }},
		{"redirect", echo.URL + "/api/v1", nil, func(c *smartlead.Client) error { return c.RetriggerFailed(ctx, "2", time.Now(), time.Now()) }},
		{"canceled", s.URL(), nil, func(c *smartlead.Client) error { return c.ValidateKey(canceled) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.prep != nil {
				tt.prep()
				defer s.FailNext(0, 0)
			}
			h := newHarness(tt.base, key, 2)
			err := tt.call(h.c)
			if err == nil {
				t.Fatal("the call succeeded; this case needs an error")
			}
			for _, form := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				if leaks(form, key) {
					t.Errorf("error leaks the key: %s", form)
				}
			}
			if leaks(h.logs.String(), key) {
				t.Errorf("log leaks the key: %s", h.logs.String())
			}
		})
	}
}

func TestRetriesAreLoggedWithoutURL(t *testing.T) {
	s := newFake(t, simulator.Options{})
	s.FailNext(1, http.StatusServiceUnavailable)
	h := newHarness(s.URL(), s.APIKey(), 0)
	if err := h.c.ValidateKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "retrying") || !strings.Contains(logs, "status=503") {
		t.Errorf("log %q, want the retry with its status", logs)
	}
	if strings.Contains(logs, "127.0.0.1") || strings.Contains(logs, "/campaigns") {
		t.Errorf("log names the URL: %s", logs)
	}
}

func TestAPIErrorMessage(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"message", 400, `{"message":"\"webhook_url\" must be a valid uri"}`, `"webhook_url" must be a valid uri`},
		{"error", 401, `{"error":"Invalid API Key"}`, "Invalid API Key"},
		{"empty message, error", 400, `{"message":"","error":"Bad thing"}`, "Bad thing"},
		{"nested error (SmartLead's 429)", 429, `{"error":{"code":"RATE_LIMIT_EXCEEDED","message":"Rate limit exceeded","retry_after":30}}`, "Rate limit exceeded"},
		{"structured message", 422, `{"message":{"field":"name"}}`, `{"field":"name"}`},
		{"neither", 500, `{"statusCode":500}`, "Internal Server Error"},
		{"HTML", 502, `<html><body>Bad Gateway</body></html>`, "Bad Gateway"},
		{"control characters", 400, `{"message":"a\u001b[31mb\nc"}`, "a [31mb c"},
		{"long", 400, `{"message":"` + strings.Repeat("x", 500) + `"}`, strings.Repeat("x", 200) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			err := newHarness(srv.URL, "k", -1).c.ValidateKey(context.Background())
			var apiErr *smartlead.APIError
			if !errors.As(err, &apiErr) || apiErr.Message != tt.want || apiErr.Status != tt.status {
				t.Errorf("error %v, want status %d message %q", err, tt.status, tt.want)
			}
		})
	}
}

func TestAPIErrorSentinels(t *testing.T) {
	sentinels := []error{smartlead.ErrUnauthorized, smartlead.ErrNoAPIAccess, smartlead.ErrNotFound, smartlead.ErrRateLimited}
	tests := []struct {
		status int
		want   error
	}{
		{401, smartlead.ErrUnauthorized}, {403, smartlead.ErrNoAPIAccess}, {404, smartlead.ErrNotFound},
		{429, smartlead.ErrRateLimited}, {400, nil}, {500, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			err := error(&smartlead.APIError{Op: "x", Status: tt.status})
			for _, s := range sentinels {
				if got := errors.Is(err, s); got != (s == tt.want) {
					t.Errorf("errors.Is(%d, %v) = %v", tt.status, s, got)
				}
			}
		})
	}
}
