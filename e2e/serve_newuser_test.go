package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// TestServeNewUser is a first start against an account as the evidence
// shows SmartLead: the per-campaign webhook API only (every global
// /webhook/... route answers Express's HTML 404), a test event sent to a
// webhook's URL each time it is saved, one campaign archived. Leadbell
// listens, registers one webhook per campaign that can still send, with
// every lead category and without touching the global API, takes
// SmartLead's test event as the proof that it is reachable (without
// storing it or taking its "secretkey" for a wrong secret), and the events
// SmartLead then sends, of every campaign, show up.
func TestServeNewUser(t *testing.T) {
	for _, tt := range []struct {
		name       string
		secret     string
		verifiedBy []string
	}{
		{"no webhook secret", "", []string{"url_token"}},
		{"with a webhook secret", secret, []string{"signature", "secret_key"}},
	} {
		t.Run(tt.name, func(t *testing.T) { testServeNewUser(t, tt.secret, tt.verifiedBy) })
	}
}

func testServeNewUser(t *testing.T, secret string, verifiedBy []string) {
	sim := simulator.NewServer(simulator.Options{Family: simulator.FamilyLive, Secret: secret, Seed: 7})
	t.Cleanup(sim.Close)
	campaigns := sim.Campaigns()
	archived := campaigns[len(campaigns)-1]
	sim.SetCampaignStatus(archived.ID, smartlead.CampaignArchived)

	args := []string{"serve", "--data", t.TempDir(), "--ui", "127.0.0.1:0", "--tunnel", "none", "--listen", freeAddr(t),
		"--smartlead-url", sim.URL(), "--watchdog", "1h"}
	if secret != "" {
		args = append(args, "--webhook-secret", secret)
	}
	began := time.Now()
	p := start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}, args...)
	st := p.waitState("listening")
	if !st.Registered {
		t.Fatalf("listening but not registered: %+v", st)
	}
	hooks := checkPerCampaign(t, sim, st.WebhookURL)
	if len(hooks) != len(campaigns)-1 || !sameIDs(st.WebhookID, hooks) {
		t.Fatalf("SmartLead holds %+v (status %s), want one webhook on each of the %d campaigns not archived", hooks, st.WebhookID, len(campaigns)-1)
	}
	checkNoGlobalCalls(t, sim)

	// SmartLead's test events confirm the address; they are not events.
	st = p.waitStatus("confirmed_at", func(st status) bool { return st.ConfirmedAt != nil })
	if st.State != "listening" || !strings.HasPrefix(st.Message, "Listening. SmartLead's events reach Leadbell.") {
		t.Errorf("confirmed status %q %q, want listening, saying SmartLead's events reach Leadbell", st.State, st.Message)
	}
	if st.ConfirmedAt.Before(began.Add(-time.Second)) || st.ConfirmedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("confirmed_at %v, want during this run (began %v)", st.ConfirmedAt, began)
	}
	tests := waitTestEvents(t, sim, len(hooks))
	for _, d := range tests {
		if d.Status != 200 || !slices.ContainsFunc(hooks, func(w smartlead.Webhook) bool { return w.ID == d.WebhookID }) {
			t.Errorf("test event %+v: want 200, to one of Leadbell's webhooks", d)
		}
	}
	if len(st.Warnings) != 0 {
		t.Errorf("warnings %+v after SmartLead's test events, want none", st.Warnings)
	}
	var page pageJSON
	if p.getJSON("/api/events", &page); len(page.Events) != 0 || total(p.status()) != 0 {
		t.Fatalf("the test events were stored as events: %+v", page.Events)
	}
	var log struct{ Deliveries []deliveryJSON }
	p.getJSON("/api/deliveries", &log)
	listed := 0
	for _, d := range log.Deliveries {
		if d.Test && d.Status == 200 && d.EventID == "" {
			listed++
		}
	}
	if listed != len(tests) {
		t.Errorf("the inspector lists %d test events answered 200 and not stored, want %d: %+v", listed, len(tests), log.Deliveries)
	}

	// A reply in each campaign arrives.
	gen := sim.Generator()
	for _, w := range hooks {
		lead := leadOf(t, gen, w.CampaignID)
		reply := gen.EventFor(event.Replied, lead)
		emit(t, sim, reply)
		got := p.eventsByLead(event.Replied, lead.Email)
		if len(got) != 1 || got[0].CampaignID != w.CampaignID || !slices.Contains(verifiedBy, got[0].VerifiedBy) {
			t.Fatalf("replies stored for %s: %+v, want one, of campaign %s, verified by one of %v", lead.Email, got, w.CampaignID, verifiedBy)
		}
	}

	// A category update arrives as such, and the lead's next event carries
	// the category.
	lead := leadOf(t, gen, hooks[0].CampaignID)
	update := gen.EventFor(event.CategoryUpdated, lead)
	emit(t, sim, update)
	if got := p.eventsByLead(event.CategoryUpdated, lead.Email); len(got) != 1 || got[0].Category != update.Category || got[0].PreviousCategory != update.PrevCategory {
		t.Fatalf("category updates stored for %s: %+v, want one to %q from %q", lead.Email, got, update.Category, update.PrevCategory)
	}
	emit(t, sim, gen.EventFor(event.Opened, lead))
	if got := p.eventsByLead(event.Opened, lead.Email); len(got) != 1 || got[0].Category != update.Category {
		t.Fatalf("opens stored for %s: %+v, want one carrying the category %q", lead.Email, got, update.Category)
	}
	if st := p.status(); len(st.Warnings) != 0 {
		t.Errorf("warnings %+v after genuine deliveries, want none", st.Warnings)
	}
	p.stop()
}

// waitTestEvents waits until SmartLead has sent n test events and returns
// them.
func waitTestEvents(t *testing.T, sim *simulator.Server, n int) []simulator.Delivery {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var tests []simulator.Delivery
		for _, d := range sim.Deliveries() {
			if d.Test {
				tests = append(tests, d)
			}
		}
		if len(tests) >= n {
			return tests
		}
		if time.Now().After(deadline) {
			t.Fatalf("SmartLead sent %d test events, want %d", len(tests), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// leadOf returns a lead of campaign.
func leadOf(t *testing.T, gen *simulator.Generator, campaign string) simulator.Lead {
	t.Helper()
	for _, l := range gen.Leads() {
		if l.CampaignID == campaign {
			return l
		}
	}
	t.Fatalf("campaign %s has no lead", campaign)
	return simulator.Lead{}
}

// eventsByLead lists the stored events of typ about the lead with email.
func (p *proc) eventsByLead(typ event.Type, email string) []eventJSON {
	p.t.Helper()
	var page pageJSON
	p.getJSON("/api/events?limit=500&type="+string(typ), &page)
	var out []eventJSON
	for _, ev := range page.Events {
		if ev.LeadEmail == email {
			out = append(out, ev)
		}
	}
	return out
}
