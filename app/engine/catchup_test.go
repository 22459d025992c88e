package engine

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/engine/catchup"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/internal/testkit"
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
	if st := waitEngineState(t, e, api.StateStalled); !strings.Contains(st.Message, "did not come back") ||
		strings.Contains(st.Message, "self-test") || !strings.Contains(st.Detail, "self-test") {
		t.Errorf("stalled: message %q, detail %q; want the message to say in words that the test event did not come back, the detail to name the self-test", st.Message, st.Detail)
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
	testkit.WaitFor(t, "the catch-up to store both replies", func() bool {
		return len(storedOfType(t, e, event.Replied)) >= 2 && e.catchUp.Idle()
	})

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
	if err := e.catchUp.Run(ctx, time.Now().Add(-time.Hour), time.Now()); err != nil {
		t.Fatal(err)
	}
	checkCaughtUp(t)
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
	before := testkit.Poll(t, "a sign of life saved after the first check",
		func() time.Time { at, _ := catchup.LastAlive(e.store); return at },
		func(at time.Time) bool { return !at.IsZero() && e.catchUp.Idle() })
	cancel()
	<-done
	if after, err := catchup.LastAlive(e.store); err != nil || !after.After(before) {
		t.Fatalf("last sign of life %v after shutdown (was %v, %v), want a later time", after, before, err)
	}
}
