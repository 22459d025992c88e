package engine

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/internal/testkit"
)

// When SmartLead rate limits the key, the status says so in words, and
// Leadbell gets through once the limit lifts.
func TestRateLimitIsVisibleAndPassesOver(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), "")
	e.cfg.RetryDelay = 50 * time.Millisecond
	sim.FailNext(5, http.StatusTooManyRequests) // more than one call's retries

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	defer func() { cancel(); <-done }()

	var sawLimit bool
	testkit.Poll(t, "listening once the limit lifted", e.Status, func(st api.Status) bool {
		if strings.Contains(st.Message, "rate limiting") {
			sawLimit = true
			if st.State == api.StateListening {
				t.Fatalf("state listening while the message says %q", st.Message)
			}
		}
		return st.State == api.StateListening
	})
	if !sawLimit {
		t.Error("the status never said SmartLead is rate limiting the key")
	}
}
