package smartlead_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"golang.org/x/time/rate"
)

// sleeps records the waits a client asked for, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.d)
}

// harness is a client with recorded sleeps and a log captured at debug level.
type harness struct {
	c      *smartlead.Client
	sleeps *sleeps
	logs   *bytes.Buffer
}

func newHarness(base, key string, maxRetries int) harness {
	h := harness{sleeps: &sleeps{}, logs: &bytes.Buffer{}}
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.c = smartlead.NewClient(base, key, smartlead.ClientOptions{Logger: log, MaxRetries: maxRetries,
		Sleep: h.sleeps.sleep, Limiter: rate.NewLimiter(rate.Inf, 0)})
	return h
}

func newFake(t *testing.T, opts simulator.Options) *simulator.Server {
	t.Helper()
	s := simulator.NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

func TestCampaigns(t *testing.T) {
	s := newFake(t, simulator.Options{Seed: 9})
	h := newHarness(s.URL(), s.APIKey(), 0)
	got, err := h.c.Campaigns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := s.Campaigns(); !slices.Equal(got, want) {
		t.Errorf("Campaigns = %v, want %v", got, want)
	}
}

func TestCampaignsReadsIDsOfEitherType(t *testing.T) {
	tests := []struct {
		name, body string
	}{
		{"bare list", `[{"id":123,"name":"A","status":"ACTIVE"},{"id":"abc-9","name":"B","status":"PAUSED"}]`},
		{"wrapped list", `{"data":[{"id":"123","name":"A","status":"ACTIVE"},{"id":"abc-9","name":"B","status":"PAUSED"}]}`},
	}
	want := []smartlead.Campaign{{ID: "123", Name: "A", Status: "ACTIVE"}, {ID: "abc-9", Name: "B", Status: "PAUSED"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/api/v1/campaigns" || r.URL.Query().Get("api_key") != "k" {
					http.Error(w, "wrong request", http.StatusBadRequest)
					return
				}
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			got, err := newHarness(srv.URL+"/api/v1/", "k", 0).c.Campaigns(context.Background())
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("Campaigns = %v, %v; want %v", got, err, want)
			}
		})
	}
}

func TestValidateKey(t *testing.T) {
	s := newFake(t, simulator.Options{})
	tests := []struct {
		name    string
		key     string
		want    error
		status  int
		message string
	}{
		{"valid", s.APIKey(), nil, 0, ""},
		{"refused", "d1c9b5b0-0000-4000-8000-000000000000_abcdef", smartlead.ErrUnauthorized, 401, "Invalid API Key"},
		{"missing", "", smartlead.ErrUnauthorized, 401, "api_key is required"},
		{"no API access", s.NoAccessKey(), smartlead.ErrNoAPIAccess, 403, "Access denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := newHarness(s.URL(), tt.key, 0).c.ValidateKey(context.Background())
			if tt.want == nil {
				if err != nil {
					t.Fatalf("ValidateKey = %v, want nil", err)
				}
				return
			}
			var apiErr *smartlead.APIError
			if !errors.Is(err, tt.want) || !errors.As(err, &apiErr) {
				t.Fatalf("ValidateKey = %v, want an APIError matching %v", err, tt.want)
			}
			if apiErr.Status != tt.status || apiErr.Message != tt.message || apiErr.Op != "list campaigns" {
				t.Errorf("APIError %+v, want status %d message %q", apiErr, tt.status, tt.message)
			}
		})
	}
}

func TestMessageHistoryNotFound(t *testing.T) {
	s := newFake(t, simulator.Options{})
	_, err := newHarness(s.URL(), s.APIKey(), 0).c.MessageHistory(context.Background(), s.Campaigns()[0].ID, "1")
	if !errors.Is(err, smartlead.ErrNotFound) {
		t.Errorf("MessageHistory of an unknown lead = %v, want ErrNotFound", err)
	}
}
