package e2e

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// storedEvent is an Event of the local API with the fields a catch-up sets.
type storedEvent struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	LeadID     string `json:"lead_id"`
	LeadEmail  string `json:"lead_email"`
	MessageID  string `json:"message_id"`
	VerifiedBy string `json:"verified_by"`
	Backfilled bool   `json:"backfilled"`
}

func (p *proc) eventsOfType(typ event.Type) []storedEvent {
	p.t.Helper()
	var page struct{ Events []storedEvent }
	p.getJSON("/api/events?limit=500&type="+url.QueryEscape(string(typ)), &page)
	return page.Events
}

// waitCaughtUp waits until n replies are stored and the status no longer
// says a catch-up is running.
func (p *proc) waitCaughtUp(replies int) {
	p.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st := p.status()
		got := p.eventsOfType(event.Replied)
		if len(got) >= replies && st.State == "listening" && !strings.Contains(st.Message, "atching up") {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("not caught up: %d replies (want %d), state %q (%s)\n%s", len(got), replies, st.State, st.Message, p.logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBackfillAfterDowntime: Leadbell is closed while SmartLead has events
// for it, all in one campaign. Their deliveries fail, SmartLead disables
// that campaign's webhook, and a reply sent after that is never delivered
// at all. Started again on the same data, Leadbell repairs the webhook, has
// the failed deliveries re-triggered and reads the reply no webhook brought
// from the lead's history: every missed event stored once, marked
// backfilled, also the reply that both roads found and the one SmartLead
// delivers late after all.
func TestBackfillAfterDowntime(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{Family: simulator.FamilyBoth, Secret: secret, Seed: 11,
		RetryDelays: []time.Duration{20 * time.Millisecond}, DisableAfter: 3})
	t.Cleanup(sim.Close)
	dir, listen := t.TempDir(), freeAddr(t)
	key := []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}
	gen := sim.Generator()
	// chatty was sent an e-mail while Leadbell ran and replies while it is
	// closed; quiet replies and other opens an e-mail while it is closed.
	// They are leads of one campaign, so that one webhook takes every
	// failure.
	campaign := gen.Leads()[0].CampaignID
	var leads []simulator.Lead
	for _, l := range gen.Leads() {
		if l.CampaignID == campaign {
			leads = append(leads, l)
		}
	}
	if len(leads) < 3 {
		t.Fatalf("campaign %s has %d leads, want 3", campaign, len(leads))
	}
	quiet, chatty, other := leads[0], leads[1], leads[2]

	p := start(t, key, serveArgs(dir, listen, sim)...)
	hook := p.waitState("listening").WebhookURL
	hooks := checkPerCampaign(t, sim, hook)
	emit(t, sim, gen.EventFor(event.Sent, chatty))
	p.stop()

	missed := gen.EventFor(event.Replied, quiet)
	opened := gen.EventFor(event.Opened, other)
	for _, s := range []simulator.Sample{missed, opened} {
		ds, err := sim.Emit(context.Background(), s)
		if err != nil || len(ds) == 0 || ds[len(ds)-1].OK() {
			t.Fatalf("deliveries while closed %+v (%v), want failed ones", ds, err)
		}
	}
	active := activeHooks(sim)
	if len(active) != len(hooks)-1 || slices.ContainsFunc(active, func(w smartlead.Webhook) bool { return w.CampaignID == campaign }) {
		t.Fatalf("SmartLead holds the enabled webhooks %+v after the failures, want every one but campaign %s's", active, campaign)
	}
	unsent := gen.EventFor(event.Replied, chatty)
	if ds, _ := sim.Emit(context.Background(), unsent); len(ds) != 0 {
		t.Fatalf("the disabled webhook got %d deliveries", len(ds))
	}
	if n := len(sim.Undelivered()); n != 2 {
		t.Fatalf("SmartLead holds %d failed deliveries, want 2", n)
	}
	calls := len(sim.Calls())

	p = start(t, key, serveArgs(dir, listen, sim)...)
	p.waitState("listening")
	p.waitCaughtUp(2)

	check := func(when string) {
		t.Helper()
		replies := p.eventsOfType(event.Replied)
		byMsg := map[string]storedEvent{}
		for _, r := range replies {
			byMsg[r.MessageID] = r
		}
		if len(replies) != 2 || len(byMsg) != 2 {
			t.Fatalf("%s: stored replies %+v, want the two missed ones once each", when, replies)
		}
		if r := byMsg[missed.MessageID]; !r.Backfilled || r.LeadID != quiet.ID || (r.VerifiedBy != "signature" && r.VerifiedBy != "secret_key") {
			t.Errorf("%s: re-delivered reply %+v, want it backfilled and verified", when, r)
		}
		if r := byMsg[unsent.MessageID]; !r.Backfilled || r.LeadID != chatty.ID || r.LeadEmail != chatty.Email {
			t.Errorf("%s: reply from the history %+v, want it backfilled, for %s", when, r, chatty.Email)
		}
		if opens := p.eventsOfType(event.Opened); len(opens) != 1 || !opens[0].Backfilled || opens[0].LeadID != other.ID {
			t.Errorf("%s: stored opens %+v, want the missed one, backfilled", when, opens)
		}
		if sent := p.eventsOfType(event.Sent); len(sent) != 1 || sent[0].Backfilled {
			t.Errorf("%s: stored sends %+v, want the one delivered live, not backfilled", when, sent)
		}
	}
	check("after the restart")
	if n := len(sim.Undelivered()); n != 0 {
		t.Errorf("SmartLead still holds %d failed deliveries", n)
	}
	if again := checkPerCampaign(t, sim, hook); !slices.EqualFunc(again, hooks, func(a, b smartlead.Webhook) bool { return a.ID == b.ID }) {
		t.Errorf("SmartLead holds %+v, want the same webhooks as before, %+v, enabled again", again, hooks)
	}
	retriggered := 0
	for _, d := range sim.Deliveries() {
		if d.Retriggered && d.OK() {
			retriggered++
		}
	}
	if retriggered != 2 {
		t.Errorf("%d acknowledged re-triggered deliveries, want 2", retriggered)
	}
	// The missed reply was found both ways: re-delivered, and in its
	// lead's history.
	quietHistory := "/campaigns/" + quiet.CampaignID + "/leads/" + quiet.ID + "/message-history"
	read := false
	for _, c := range sim.Calls()[calls:] {
		read = read || strings.HasSuffix(c.Path, quietHistory) && c.Status == 200
	}
	if !read {
		t.Errorf("the history of %s was not read; the test does not show what it claims", quiet.Email)
	}

	// SmartLead delivers the reply taken from the history after all.
	emit(t, sim, unsent)
	check("after a late delivery")
	p.stop()
	if strings.Contains(p.logs(), sim.APIKey()) || strings.Contains(p.logs(), secret) {
		t.Error("the logs hold the API key or the webhook secret")
	}
}
