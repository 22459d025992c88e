package engine

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// syncBuffer is a log destination that tests read while the upkeep writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// seedAged stores one event of each type at each age (in days before
// now).
func seedAged(t *testing.T, st *store.Store, now time.Time, ages ...int) {
	t.Helper()
	var evs []event.Event
	for _, age := range ages {
		at := now.AddDate(0, 0, -age).Add(-time.Minute)
		for _, typ := range event.Types {
			evs = append(evs, event.Event{
				Type: typ, SourceType: string(typ), Timestamp: at, ReceivedAt: at, CampaignID: "7", LeadID: "42",
				LeadEmail: "jane@example.com", Body: "secret reply text " + string(typ),
				Key: string(typ) + "@" + strconv.Itoa(age),
			})
		}
	}
	if _, err := st.AppendMany(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
}

func newUpkeeper(e *Engine, now func() time.Time, log *slog.Logger) *upkeeper {
	return &upkeeper{store: e.store, retention: e.retention, log: log, now: now, first: 0, every: upkeepEvery, check: time.Millisecond}
}

func TestUpkeepPrunesByTheCurrentSettings(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), "")
	now := time.Now()
	seedAged(t, e.store, now, 400, 100, 40, 1)
	var logs syncBuffer
	u := newUpkeeper(e, func() time.Time { return now }, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := context.Background()

	steps := []struct {
		name      string
		retention settings.Retention
		want      map[event.Type]int
	}{
		{"defaults", settings.Default().Retention, map[event.Type]int{
			event.Sent: 2, event.Opened: 2, event.Clicked: 1}},
		{"shorter", settings.Retention{SentDays: 30, OpenedDays: 90, ClickedDays: 0}, map[event.Type]int{
			event.Sent: 1}},
		{"a week", settings.Retention{SentDays: 7, OpenedDays: 7, ClickedDays: 7}, map[event.Type]int{
			event.Opened: 1, event.Clicked: 2}},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			if _, err := e.UpdateSettings(ctx, settings.Update{Retention: &step.retention}); err != nil {
				t.Fatal(err)
			}
			got, err := u.prune(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, typ := range event.Types {
				if got[typ] != step.want[typ] {
					t.Errorf("pruned %d %s, want %d", got[typ], typ, step.want[typ])
				}
			}
		})
	}
	st, err := e.store.Stats()
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []event.Type{event.Replied, event.Bounced, event.Unsubscribed} {
		if st.Counts[typ] != 4 {
			t.Errorf("%d %s kept, want all 4", st.Counts[typ], typ)
		}
	}
	out := logs.String()
	if !strings.Contains(out, "deleted old events") || !strings.Contains(out, "opened=2") {
		t.Errorf("the log does not say what was pruned:\n%s", out)
	}
	if strings.Contains(out, "secret reply text") {
		t.Errorf("the log holds event text:\n%s", out)
	}
}

func TestUpkeepRunsAtStartThenDaily(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), "")
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	seedAged(t, e.store, now, 100)
	u := newUpkeeper(e, clock, slog.New(slog.DiscardHandler))
	passes := make(chan map[event.Type]int, 10)
	u.passed = func(n map[event.Type]int, err error) {
		if err != nil {
			t.Errorf("pass failed: %v", err)
		}
		passes <- n
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); u.run(ctx) }()

	if n := <-passes; n[event.Sent] != 1 {
		t.Errorf("first pass pruned %v, want the 100-day-old send", n)
	}
	// Until a day has passed on the wall clock nothing runs again; then
	// the pass uses the settings of the moment: sends kept a week.
	seedAged(t, e.store, now, 10)
	if _, err := e.UpdateSettings(ctx, settings.Update{Retention: &settings.Retention{SentDays: 7, OpenedDays: 90, ClickedDays: 90}}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(upkeepEvery)
	mu.Unlock()
	if n := <-passes; n[event.Sent] != 1 || n[event.Opened] != 0 {
		t.Errorf("second pass pruned %v, want one send", n)
	}
	cancel()
	<-done
}

func TestUpdateSettingsRefusesBadRetention(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), "")
	for _, r := range []settings.Retention{{SentDays: -1}, {OpenedDays: 100000}} {
		_, err := e.UpdateSettings(context.Background(), settings.Update{Retention: &r})
		if !errors.Is(err, api.ErrInvalid) || !strings.Contains(err.Error(), "days") {
			t.Errorf("retention %+v: err %v, want api.ErrInvalid saying why", r, err)
		}
	}
	if got := e.Settings().Retention; got != settings.Default().Retention {
		t.Errorf("retention after refused updates: %+v", got)
	}
}
