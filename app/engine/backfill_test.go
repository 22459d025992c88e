package engine

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// flakyTunnel is a public URL in front of an engine's receiver that the
// test can take down: it then answers 502 as a tunnel edge does when the
// agent behind it is gone.
type flakyTunnel struct {
	*httptest.Server
	down   atomic.Bool
	target atomic.Pointer[httputil.ReverseProxy]
}

func newFlakyTunnel(t *testing.T) *flakyTunnel {
	t.Helper()
	f := &flakyTunnel{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := f.target.Load()
		if f.down.Load() || p == nil {
			http.Error(w, "tunnel not found", http.StatusBadGateway)
			return
		}
		p.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

// to points the tunnel at e's receiver.
func (f *flakyTunnel) to(e *Engine) {
	u, _ := url.Parse("http://" + e.tunnel.Listener().Addr().String())
	f.target.Store(httputil.NewSingleHostReverseProxy(u))
}

// idle reports whether no catch-up is running or pending.
func caughtUp(e *Engine) bool {
	e.catchUp.mu.Lock()
	defer e.catchUp.mu.Unlock()
	return !e.catchUp.running && e.catchUp.alive.Pending.IsZero()
}

func storedOfType(t *testing.T, e *Engine, typ event.Type) []event.Event {
	t.Helper()
	page, err := e.store.List(store.Query{Type: typ, Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return page.Events
}

func emitSample(t *testing.T, sim *simulator.Server, s simulator.Sample) []simulator.Delivery {
	t.Helper()
	ds, err := sim.Emit(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// The whole road back from a tunnel that stopped delivering: the state
// turns stalled while it is down (and never says listening), SmartLead's
// failed deliveries are re-triggered once it is back, the reply sent while
// SmartLead had disabled the webhook comes from the lead's history, and
// each is stored once, also when SmartLead delivers it later after all.
func TestCatchUpAfterTheTunnelStoppedDelivering(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{Seed: 5, RetryDelays: []time.Duration{}})
	defer sim.Close()
	tun := newFlakyTunnel(t)
	e := newEngine(t, sim, sim.APIKey(), tun.URL)
	tun.to(e)
	e.cfg.Watchdog, e.cfg.RetryDelay = time.Hour, time.Hour // checks come from the wakes below
	e.catchUp.opts.quiet, e.catchUp.opts.poll = 100*time.Millisecond, 10*time.Millisecond
	clock, ticks := newWakeTestClock(), make(chan time.Time)
	e.wake = clock.watch(ticks)
	network := func(addrs string) {
		ticks <- time.Now()
		clock.setAddrs(addrs)
		ticks <- time.Now()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitEngineState(t, e, api.StateListening)

	gen := sim.Generator()
	leads := gen.Leads()
	// chatty got an e-mail before the outage; quiet replied during it and
	// other opened an e-mail (each lead's events are a second apart: a
	// second event of quiet would happen after the outage).
	quiet, chatty, other := leads[0], leads[1], leads[2]
	if ds := emitSample(t, sim, gen.EventFor(event.Sent, chatty)); len(ds) != 1 || !ds[0].OK() {
		t.Fatalf("deliveries %+v, want one acknowledged", ds)
	}

	tun.down.Store(true)
	network("wlan0=10.9.8.7/24")
	if st := waitEngineState(t, e, api.StateStalled); !strings.Contains(st.Message, "self-test") {
		t.Errorf("stalled message %q does not say the self-test failed", st.Message)
	}
	missed := gen.EventFor(event.Replied, quiet)
	opened := gen.EventFor(event.Opened, other)
	for _, s := range []simulator.Sample{missed, opened} {
		if ds := emitSample(t, sim, s); len(ds) != 1 || ds[0].OK() {
			t.Fatalf("deliveries %+v, want one failed", ds)
		}
	}
	for _, h := range enabledHooks(sim) {
		sim.DisableWebhook(h.ID)
	}
	unsent := gen.EventFor(event.Replied, chatty)
	if ds := emitSample(t, sim, unsent); len(ds) != 0 {
		t.Fatalf("a disabled webhook got %d deliveries", len(ds))
	}
	if n := len(sim.Undelivered()); n != 2 {
		t.Fatalf("SmartLead holds %d failed deliveries, want 2", n)
	}

	tun.down.Store(false)
	network("wlan0=10.9.8.7/24,wg0=10.200.0.2/32")
	waitEngineState(t, e, api.StateListening)
	deadline := time.Now().Add(20 * time.Second)
	for len(storedOfType(t, e, event.Replied)) < 2 || !caughtUp(e) {
		if time.Now().After(deadline) {
			t.Fatalf("not caught up: replies %+v", storedOfType(t, e, event.Replied))
		}
		time.Sleep(10 * time.Millisecond)
	}

	checkCaughtUp := func(t *testing.T) {
		t.Helper()
		replies := storedOfType(t, e, event.Replied)
		byMsg := map[string]event.Event{}
		for _, r := range replies {
			byMsg[r.MessageID] = r
		}
		if len(replies) != 2 || len(byMsg) != 2 {
			t.Fatalf("stored replies %+v, want the two, once each", replies)
		}
		if r := byMsg[missed.MessageID]; !r.Backfilled || r.VerifiedBy != event.VerifiedByURLToken {
			t.Errorf("re-delivered reply %+v: want backfilled and verified by the URL token", r)
		}
		text := strings.Fields(unsent.Body + " " + smartlead.PlainText(unsent.BodyHTML))[0]
		if r := byMsg[unsent.MessageID]; !r.Backfilled || r.VerifiedBy != "" || r.LeadEmail != chatty.Email ||
			r.LeadName != chatty.Name() || !r.Timestamp.Equal(unsent.At) || !strings.Contains(r.Body, text) {
			t.Errorf("reply from the history %+v: want backfilled, unverified, with the lead's name, time and text", r)
		}
		if opens := storedOfType(t, e, event.Opened); len(opens) != 1 || !opens[0].Backfilled {
			t.Errorf("stored opens %+v, want the missed one, backfilled", opens)
		}
		if n := len(sim.Undelivered()); n != 0 {
			t.Errorf("SmartLead still holds %d failed deliveries", n)
		}
	}
	checkCaughtUp(t)
	var retriggers, histories int
	for _, c := range sim.Calls() {
		switch {
		case strings.HasSuffix(c.Path, "/retrigger-failed-events"):
			retriggers++
		case strings.HasSuffix(c.Path, "/message-history"):
			histories++
		}
	}
	if retriggers != len(sim.Campaigns()) || histories != 3 {
		t.Errorf("%d retrigger and %d history calls, want one per campaign (%d) and one per active lead (3)", retriggers, histories, len(sim.Campaigns()))
	}
	if st := e.Status(); strings.Contains(st.Message, "Catching up") {
		t.Errorf("status still says %q after the catch-up", st.Message)
	}

	// SmartLead delivers the reply Leadbell took from the history after all,
	// and a second catch-up reads the same histories: nothing is stored twice.
	if ds := emitSample(t, sim, unsent); len(ds) != 1 || !ds[0].OK() {
		t.Fatalf("late delivery %+v, want it acknowledged", ds)
	}
	if err := e.backfill(ctx, time.Now().Add(-time.Hour), time.Now()); err != nil {
		t.Fatal(err)
	}
	checkCaughtUp(t)
}

// A reply that arrives as a delivery while the catch-up finds it in the
// history, over and over at the same moment, is stored once each time.
func TestHistoryAndDeliveryRacingStoreOnce(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{Seed: 9})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), "")
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
			if _, err := e.storeHistoryReply(ctx, l, m); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			if _, _, err := e.catchUp.replies.Append(ctx, delivered); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		got, err := e.store.LeadEvents(lead.ID, store.MaxLimit)
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

// The gap a catch-up covers starts a margin before the last sign of life,
// or where an unfinished one started, but never more than maxGap back; a
// first run has nothing to catch up on.
func TestCatchUpGap(t *testing.T) {
	now := time.Now().UTC()
	tests := []struct {
		name   string
		alive  *aliveRecord
		health *Health
		want   time.Time // zero: no catch-up
	}{
		{name: "first run"},
		{name: "closed for three hours", alive: &aliveRecord{At: now.Add(-3 * time.Hour)}, want: now.Add(-3*time.Hour - 10*time.Minute)},
		{name: "an earlier catch-up did not finish", alive: &aliveRecord{At: now.Add(-time.Hour), Pending: now.Add(-26 * time.Hour)}, want: now.Add(-26 * time.Hour)},
		{name: "closed for a month", alive: &aliveRecord{At: now.AddDate(0, -1, 0)}, want: now.Add(-7 * 24 * time.Hour)},
		{name: "data from before the alive record", health: &Health{LastSelfTestAt: now.Add(-2 * time.Hour)}, want: now.Add(-2*time.Hour - 10*time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := simulator.NewServer(simulator.Options{})
			defer sim.Close()
			e := newEngine(t, sim, sim.APIKey(), "")
			e.catchUp.opts.quiet, e.catchUp.opts.poll = 50*time.Millisecond, 10*time.Millisecond
			if tt.alive != nil {
				e.store.PutJSON(aliveKey, tt.alive)
			}
			if tt.health != nil {
				e.store.PutJSON(healthKey, tt.health)
			}
			e.watchStarts()
			connectAndCheck(t, e)
			calls := len(sim.Calls())
			var bg sync.WaitGroup
			e.alive(context.Background(), true, &bg)
			bg.Wait()
			from, to := e.catchUp.replies.from, e.catchUp.replies.to
			retriggered := slices.ContainsFunc(sim.Calls()[calls:], func(c simulator.Call) bool {
				return strings.HasSuffix(c.Path, "/retrigger-failed-events")
			})
			if tt.want.IsZero() {
				if !to.IsZero() || retriggered {
					t.Fatalf("caught up on [%s, %s] on a first run", from, to)
				}
			} else if from.Sub(tt.want).Abs() > time.Minute || to.Before(now) || !retriggered {
				t.Fatalf("caught up on [%s, %s] (retriggered: %v), want from %s to now", from, to, retriggered, tt.want)
			}
			var rec aliveRecord
			e.store.GetJSON(aliveKey, &rec)
			if rec.At.Before(now) || !rec.Pending.IsZero() {
				t.Errorf("alive record %+v after the check, want at now and nothing pending", rec)
			}
		})
	}
}

// A clean shutdown while listening records that deliveries arrived until
// then, so the next start's gap begins there.
func TestShutdownRecordsAlive(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), "")
	e.cfg.Watchdog = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	waitEngineState(t, e, api.StateListening)
	var before aliveRecord
	for !caughtUp(e) || before.At.IsZero() {
		e.store.GetJSON(aliveKey, &before)
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(2 * time.Millisecond) // so that the wall clock has moved on
	cancel()
	<-done
	var after aliveRecord
	if ok, err := e.store.GetJSON(aliveKey, &after); !ok || err != nil || !after.At.After(before.At) {
		t.Fatalf("alive record %+v after shutdown (was %+v), want a later time", after, before)
	}
}

// A tunnel that flaps does not start a catch-up after each return: within
// minInterval of the last one, the gap waits (kept pending) for a later
// good check.
func TestCatchUpsAreSpaced(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), "")
	e.catchUp.opts.quiet, e.catchUp.opts.poll = 50*time.Millisecond, 10*time.Millisecond
	now := time.Now().UTC()
	e.store.PutJSON(aliveKey, aliveRecord{At: now.Add(-time.Hour)})
	e.watchStarts()
	connectAndCheck(t, e)
	retriggers := func() int {
		n := 0
		for _, c := range sim.Calls() {
			if strings.HasSuffix(c.Path, "/retrigger-failed-events") {
				n++
			}
		}
		return n
	}
	var bg sync.WaitGroup
	e.alive(context.Background(), true, &bg) // after the start: catches up
	bg.Wait()
	first := retriggers()
	if first == 0 {
		t.Fatal("no catch-up after the start")
	}

	e.alive(context.Background(), false, &bg) // the tunnel drops...
	e.alive(context.Background(), true, &bg)  // ...and is back at once
	bg.Wait()
	if n := retriggers(); n != first {
		t.Fatalf("%d more retrigger calls right after the last catch-up, want none yet", n-first)
	}
	var rec aliveRecord
	if e.store.GetJSON(aliveKey, &rec); rec.Pending.IsZero() {
		t.Fatal("the deferred gap is not kept pending")
	}

	e.catchUp.mu.Lock()
	e.catchUp.began = e.catchUp.began.Add(-e.catchUp.opts.minInterval) // the interval has passed
	e.catchUp.mu.Unlock()
	e.alive(context.Background(), true, &bg)
	bg.Wait()
	if n := retriggers(); n == first {
		t.Fatal("the deferred gap was not caught up once the interval passed")
	}
}
