package catchup

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// testHost is the engine as a catch-up sees it, signed in to sim.
type testHost struct {
	client   *smartlead.Client
	selfTest time.Time

	mu      sync.Mutex
	repairs int
	notes   []string
}

func (h *testHost) Client() *smartlead.Client { return h.client }
func (h *testHost) Scope() []string           { return nil }
func (h *testHost) LastSelfTest() time.Time   { return h.selfTest }

func (h *testHost) RepairWebhooks(context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.repairs++
	return nil
}

func (h *testHost) Note(note string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.notes = append(h.notes, note)
}

// newCatcher is a catch-up on a new store, for an account of sim, that
// lets re-deliveries settle quickly.
func newCatcher(t *testing.T, sim *simulator.Server, host *testHost) (*Catcher, *store.Store) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if host.client == nil {
		host.client = smartlead.NewClient(sim.URL(), sim.APIKey(), smartlead.ClientOptions{Limiter: rate.NewLimiter(rate.Inf, 0)})
	}
	c, err := New(st, host, func(event.Event) {}, Options{Quiet: 50 * time.Millisecond, Poll: 10 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c, st
}

func retriggers(sim *simulator.Server, since int) int {
	n := 0
	for _, c := range sim.Calls()[since:] {
		if strings.HasSuffix(c.Path, "/retrigger-failed-events") {
			n++
		}
	}
	return n
}

// The gap a catch-up covers starts a margin before the last sign of life,
// or where an unfinished one started, but never more than MaxGap back; a
// first run has nothing to catch up on.
func TestCatchUpGap(t *testing.T) {
	now := time.Now().UTC()
	tests := []struct {
		name     string
		alive    *aliveRecord
		selfTest time.Time
		want     time.Time // zero: no catch-up
	}{
		{name: "first run"},
		{name: "closed for three hours", alive: &aliveRecord{At: now.Add(-3 * time.Hour)}, want: now.Add(-3*time.Hour - 10*time.Minute)},
		{name: "an earlier catch-up did not finish", alive: &aliveRecord{At: now.Add(-time.Hour), Pending: now.Add(-26 * time.Hour)}, want: now.Add(-26 * time.Hour)},
		{name: "closed for a month", alive: &aliveRecord{At: now.AddDate(0, -1, 0)}, want: now.Add(-7 * 24 * time.Hour)},
		{name: "data from before the alive record", selfTest: now.Add(-2 * time.Hour), want: now.Add(-2*time.Hour - 10*time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := simulator.NewServer(simulator.Options{})
			defer sim.Close()
			host := &testHost{selfTest: tt.selfTest}
			c, st := newCatcher(t, sim, host)
			if tt.alive != nil {
				if err := aliveDoc.Put(st, *tt.alive); err != nil {
					t.Fatal(err)
				}
			}
			c.WatchStarts()
			var bg sync.WaitGroup
			c.Checked(context.Background(), true, &bg)
			bg.Wait()
			from, to := c.guard.gap()
			retriggered := retriggers(sim, 0) > 0
			if tt.want.IsZero() {
				if !to.IsZero() || retriggered || host.repairs > 0 {
					t.Fatalf("caught up on [%s, %s] on a first run", from, to)
				}
			} else if from.Sub(tt.want).Abs() > time.Minute || to.Before(now) || !retriggered || host.repairs != 1 {
				t.Fatalf("caught up on [%s, %s] (retriggered: %v, webhooks repaired %d times), want from %s to now, repaired once",
					from, to, retriggered, host.repairs, tt.want)
			}
			rec, _, err := aliveDoc.Get(st)
			if err != nil || rec.At.Before(now) || !rec.Pending.IsZero() {
				t.Errorf("alive record %+v (%v) after the check, want at now and nothing pending", rec, err)
			}
		})
	}
}

// A tunnel that flaps does not start a catch-up after each return: within
// MinInterval of the last one, the gap waits (kept pending) for a later
// good check.
func TestCatchUpsAreSpaced(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{})
	defer sim.Close()
	c, st := newCatcher(t, sim, &testHost{})
	if err := aliveDoc.Put(st, aliveRecord{At: time.Now().UTC().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	c.WatchStarts()
	var bg sync.WaitGroup
	c.Checked(context.Background(), true, &bg) // after the start: catches up
	bg.Wait()
	first := retriggers(sim, 0)
	if first == 0 {
		t.Fatal("no catch-up after the start")
	}

	c.Checked(context.Background(), false, &bg) // the tunnel drops...
	c.Checked(context.Background(), true, &bg)  // ...and is back at once
	bg.Wait()
	if n := retriggers(sim, 0); n != first {
		t.Fatalf("%d more retrigger calls right after the last catch-up, want none yet", n-first)
	}
	if rec, _, _ := aliveDoc.Get(st); rec.Pending.IsZero() {
		t.Fatal("the deferred gap is not kept pending")
	}
	if c.Idle() {
		t.Error("Idle with a gap pending")
	}

	c.mu.Lock()
	c.began = c.began.Add(-c.opts.MinInterval) // the interval has passed
	c.mu.Unlock()
	c.Checked(context.Background(), true, &bg)
	bg.Wait()
	if n := retriggers(sim, 0); n == first {
		t.Fatal("the deferred gap was not caught up once the interval passed")
	}
	if !c.Idle() {
		t.Error("not Idle after the deferred gap was caught up")
	}
}

// A catch-up SmartLead stops (rate limited) says so in the status in a
// sentence for the user, keeps its gap pending, and the next good check
// tries again.
func TestCatchUpStoppedByTheRateLimit(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{})
	defer sim.Close()
	host := &testHost{client: smartlead.NewClient(sim.URL(), sim.APIKey(),
		smartlead.ClientOptions{Limiter: rate.NewLimiter(rate.Inf, 0), MaxRetries: -1})}
	c, st := newCatcher(t, sim, host)
	if err := aliveDoc.Put(st, aliveRecord{At: time.Now().UTC().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	sim.FailNext(1000, 429)
	c.WatchStarts()
	var bg sync.WaitGroup
	c.Checked(context.Background(), true, &bg)
	bg.Wait()
	last := host.notes[len(host.notes)-1]
	if last != "Missed events are not caught up yet. SmartLead is rate limiting this API key. Leadbell will try again." {
		t.Errorf("the status says %q after a rate-limited catch-up", last)
	}
	if rec, _, _ := aliveDoc.Get(st); rec.Pending.IsZero() || c.Idle() {
		t.Errorf("alive record %+v after a failed catch-up, want the gap kept pending", rec)
	}
	sim.FailNext(0, 0)
	c.mu.Lock()
	c.began = c.began.Add(-c.opts.MinInterval)
	c.mu.Unlock()
	c.Checked(context.Background(), true, &bg)
	bg.Wait()
	if !c.Idle() || host.notes[len(host.notes)-1] != "" {
		t.Errorf("after a good check: idle %v, status note %q; want caught up and no note", c.Idle(), host.notes[len(host.notes)-1])
	}
}

// A reply that arrives as a delivery while the catch-up finds it in the
// history, over and over at the same moment, is stored once each time.
func TestHistoryAndDeliveryRacingStoreOnce(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{Seed: 9})
	defer sim.Close()
	c, st := newCatcher(t, sim, &testHost{})
	gen := sim.Generator()
	lead := gen.Leads()[3]
	ctx := context.Background()
	for round := range 20 {
		s := gen.EventFor(event.Replied, lead)
		delivered, err := smartlead.Parse(s.LiveJSON(""))
		if err != nil {
			t.Fatal(err)
		}
		delivered.ReceivedAt = time.Now()
		l := activeLead{campaignID: lead.CampaignID, leadID: lead.ID}
		m := smartlead.Message{MessageID: s.MessageID, Type: "REPLY", Time: s.At, Body: s.BodyHTML, Subject: s.Subject}
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, err := c.storeHistoryReply(ctx, l, m); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			if _, _, err := c.Guard().Append(ctx, delivered); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		got, err := st.LeadEvents(lead.ID, store.MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range got {
			if ev.MessageID == s.MessageID {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("round %d: the reply is stored %d times", round, n)
		}
	}
}

// A list kept by an earlier Leadbell as one JSON map is moved to the
// store's bucket when the catch-up is made, and the old key is gone.
func TestBackfilledRepliesMoveToTheirBucket(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if err := oldBackfilledDoc.Put(st, map[string]backfilledReply{"<a@x>": {ID: "3", At: at}, "<b@x>": {ID: "5", At: at}}); err != nil {
		t.Fatal(err)
	}
	c, err := New(st, &testHost{}, nil, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for msg, want := range map[string]string{"<a@x>": "3", "<b@x>": "5"} {
		if id, ok := c.guard.backfilledID(msg); !ok || id != want {
			t.Errorf("backfilledID(%s) = %q, %v; want %s", msg, id, ok, want)
		}
	}
	if left, ok, _ := oldBackfilledDoc.Get(st); ok {
		t.Errorf("the old key is still kept: %v", left)
	}
}
