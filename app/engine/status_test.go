package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/app/tunnel"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/internal/testkit"
	"github.com/leadbell/leadbell/store"
)

// waitStatus polls the engine's status until ok says so.
func waitStatus(t *testing.T, e *Engine, what string, ok func(api.Status) bool) api.Status {
	t.Helper()
	return testkit.Poll(t, "a status "+what, e.Status, ok)
}

// TestSmartLeadTestEventConfirms: SmartLead sends its test event when a
// webhook is saved; it confirms the address in the status, is not stored
// and reaches no listener (so it never pops up).
func TestSmartLeadTestEventConfirms(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), "", sim.Campaigns()[0].ID)
	events := e.Broker().Subscribe(16)
	defer events.Cancel()
	if err := e.connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.check(context.Background(), nil)
	st := waitStatus(t, e, "confirmed", func(st api.Status) bool { return st.ConfirmedAt != nil })
	if st.State != api.StateListening || !strings.Contains(st.Message, "SmartLead's events reach Leadbell") {
		t.Errorf("status %q %q, want listening and confirmed", st.State, st.Message)
	}
	if !slices.ContainsFunc(sim.Deliveries(), func(d simulator.Delivery) bool { return d.Test && d.OK() }) {
		t.Fatalf("the fake sent no test event: %+v", sim.Deliveries())
	}
	if n, _ := e.store.Stats(); n.Total != 0 {
		t.Errorf("%d events stored, want none: a test event is not an event", n.Total)
	}
	select {
	case ev := <-events.C:
		t.Errorf("the test event was published: %+v", ev)
	default:
	}
	// The confirmation belongs to the address: kept across a restart.
	testkit.Poll(t, "the confirmation of this address saved",
		func() Confirmation { c, _, _ := confirmedDoc.Get(e.store); return c },
		func(c Confirmation) bool { return c.URL == e.HookURL() })
}

// TestUnconfirmedSaysItWaits: until SmartLead's first delivery, listening
// says it waits for it.
func TestUnconfirmedSaysItWaits(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{NoTestEvents: true})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), "", sim.Campaigns()[0].ID)
	connectAndCheck(t, e)
	st := e.Status()
	if st.ConfirmedAt != nil || !strings.Contains(st.Message, "Waiting for SmartLead's first event") {
		t.Fatalf("status %+v, want listening, waiting for the first event", st)
	}
	ds, err := sim.Emit(context.Background(), eventIn(sim, sim.Campaigns()[0].ID, event.Opened))
	if err != nil || len(ds) != 1 || !ds[0].OK() {
		t.Fatalf("deliveries %+v, %v", ds, err)
	}
	waitStatus(t, e, "confirmed by a delivery", func(st api.Status) bool { return st.ConfirmedAt != nil })
}

// TestSecretMismatchIsShown: with a webhook secret SmartLead does not send,
// deliveries are still stored and the status says so, plainly.
func TestSecretMismatchIsShown(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{NoTestEvents: true, Shape: simulator.ShapeLive, Secret: "the-one-in-smartlead"})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), "", sim.Campaigns()[0].ID)
	e.in.receiver.SetCredentials(e.in.token, "a-different-one")
	connectAndCheck(t, e)
	ds, err := sim.Emit(context.Background(), eventIn(sim, sim.Campaigns()[0].ID, event.Replied))
	if err != nil || len(ds) != 1 || !ds[0].OK() {
		t.Fatalf("deliveries %+v, %v: want the reply taken", ds, err)
	}
	st := waitStatus(t, e, "a secret_mismatch warning", func(st api.Status) bool {
		return slices.ContainsFunc(st.Warnings, func(w api.Warning) bool { return w.Code == api.WarnSecretMismatch })
	})
	i := slices.IndexFunc(st.Warnings, func(w api.Warning) bool { return w.Code == api.WarnSecretMismatch })
	if msg := st.Warnings[i].Message; !strings.Contains(msg, "different secret") || strings.Contains(msg, "a-different-one") || strings.Contains(msg, "the-one-in-smartlead") {
		t.Errorf("warning %q: want it plain, and without either secret", msg)
	}
	page, err := e.store.List(store.Query{Limit: 10})
	if err != nil || len(page.Events) != 1 || page.Events[0].VerifiedBy != event.VerifiedByURLToken {
		t.Errorf("stored %+v, %v: want the reply, verified by the path token", page.Events, err)
	}
	if rows := e.RecentDeliveries(10); len(rows) == 0 || !rows[0].SecretMismatch {
		t.Errorf("inspector rows %+v, want the mismatch shown", rows)
	}
}

// eventIn makes an event of type t for a lead of campaign.
func eventIn(sim *simulator.Server, campaign string, t event.Type) simulator.Sample {
	gen := sim.Generator()
	for _, l := range gen.Leads() {
		if l.CampaignID == campaign {
			return gen.EventFor(t, l)
		}
	}
	panic("no lead in campaign " + campaign)
}

// The status line says a problem in words; the error itself, which names
// routes and status codes, is the detail Diagnostics shows.
func TestProblemsAreSaidInWords(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&smartlead.APIError{Op: "create webhook", Status: 400, Message: "Invalid categories"}, "SmartLead refused a request from Leadbell."},
		{&smartlead.APIError{Op: "list campaigns", Status: 502, Message: "Bad Gateway"}, "SmartLead is having trouble right now (it answered with an error)."},
		{fmt.Errorf("connect: %w", smartlead.ErrUnreachable), "Leadbell cannot reach SmartLead (is this computer online?)."},
		{&smartlead.APIError{Op: "list campaigns", Status: 429}, "SmartLead is rate limiting this API key."},
		{fmt.Errorf("ngrok: %w", tunnel.ErrBadAuthtoken), "ngrok does not accept your authtoken: check it in Settings."},
		{errors.New("app: something nobody planned for"), "Something went wrong while talking to SmartLead."},
	}
	for _, tt := range tests {
		if got := say(tt.err); got != tt.want {
			t.Errorf("say(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}

	sim := simulator.NewServer(simulator.Options{})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), "")
	e.cfg.RetryDelay = time.Hour
	sim.FailNext(1000, http.StatusBadRequest) // not retried by the client, unlike a 5xx
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	defer func() { cancel(); <-done }()
	st := waitEngineState(t, e, api.StateError)
	if strings.Contains(st.Message, "smartlead:") || strings.Contains(st.Message, "400") || !strings.HasPrefix(st.Message, "SmartLead refused a request") {
		t.Errorf("status message %q, want words for the user", st.Message)
	}
	if !strings.Contains(st.Detail, "400") {
		t.Errorf("status detail %q, want the answer SmartLead gave", st.Detail)
	}
}
