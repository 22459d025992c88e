package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

const secret = "e2e-webhook-secret"

type eventJSON struct {
	ID               string `json:"id"`
	Type             string `json:"type"`
	CampaignID       string `json:"campaign_id"`
	LeadID           string `json:"lead_id"`
	LeadEmail        string `json:"lead_email"`
	Category         string `json:"category"`
	PreviousCategory string `json:"previous_category"`
	VerifiedBy       string `json:"verified_by"`
	Read             bool   `json:"read"`
	Raw              json.RawMessage
}

type pageJSON struct {
	Events []eventJSON `json:"events"`
	Next   string      `json:"next"`
}

func newSim(t *testing.T, family simulator.Family) *simulator.Server {
	t.Helper()
	sim := simulator.NewServer(simulator.Options{
		Family:      family,
		Secret:      secret,
		Seed:        7,
		RetryDelays: []time.Duration{20 * time.Millisecond, 50 * time.Millisecond},
	})
	t.Cleanup(sim.Close)
	return sim
}

func serveArgs(dir, listen string, sim *simulator.Server) []string {
	return []string{"serve", "--data", dir, "--ui", "127.0.0.1:0", "--tunnel", "none", "--listen", listen,
		"--smartlead-url", sim.URL(), "--webhook-secret", secret, "--watchdog", "1h"}
}

func emit(t *testing.T, sim *simulator.Server, s simulator.Sample) {
	t.Helper()
	ds, err := sim.Emit(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Status != 200 {
		t.Fatalf("deliveries %+v, want one answered 200", ds)
	}
}

func activeHooks(sim *simulator.Server) []smartlead.Webhook {
	var out []smartlead.Webhook
	for _, w := range sim.Webhooks() {
		if w.Enabled {
			out = append(out, w)
		}
	}
	return out
}

// sendingCampaigns are the campaigns Leadbell covers by default: every one
// not archived.
func sendingCampaigns(sim *simulator.Server) []smartlead.Campaign {
	var out []smartlead.Campaign
	for _, c := range sim.Campaigns() {
		if c.Status != smartlead.CampaignArchived {
			out = append(out, c)
		}
	}
	return out
}

// checkPerCampaign fails the test unless SmartLead holds, for hook, one
// enabled webhook on each campaign not archived, subscribed to every event
// type and every lead category of the account, and none anywhere else (no
// user- or client-level one, none on an archived campaign). It returns
// them, in campaign order.
func checkPerCampaign(t *testing.T, sim *simulator.Server, hook string) []smartlead.Webhook {
	t.Helper()
	var cats []string
	for _, c := range sim.Categories() {
		cats = append(cats, c.Name)
	}
	byCampaign := map[string][]smartlead.Webhook{}
	for _, w := range sim.Webhooks() {
		if w.URL != hook && w.Name != "Leadbell" {
			continue // another tool's
		}
		if w.CampaignID == "" {
			t.Fatalf("SmartLead holds a %s-level webhook of Leadbell's %+v: want per-campaign ones only", w.Level(), w)
		}
		byCampaign[w.CampaignID] = append(byCampaign[w.CampaignID], w)
	}
	var out []smartlead.Webhook
	for _, c := range sim.Campaigns() {
		hooks := byCampaign[c.ID]
		if c.Status == smartlead.CampaignArchived {
			if len(hooks) != 0 {
				t.Fatalf("archived campaign %s has webhooks %+v, want none", c.ID, hooks)
			}
			continue
		}
		if len(hooks) != 1 {
			t.Fatalf("campaign %s (%s) has %d webhooks of Leadbell's %+v, want one", c.ID, c.Status, len(hooks), hooks)
		}
		w := hooks[0]
		if !w.Enabled || w.URL != hook {
			t.Fatalf("campaign %s's webhook %+v: want it enabled, at %s", c.ID, w, hook)
		}
		for _, typ := range event.Types {
			if !slices.Contains(w.EventTypes, typ) {
				t.Fatalf("campaign %s's webhook has event types %v, want every one of %v", c.ID, w.EventTypes, event.Types)
			}
		}
		for _, cat := range cats {
			if !slices.Contains(w.Categories, cat) {
				t.Fatalf("campaign %s's webhook has categories %v, want every one of the account's %v", c.ID, w.Categories, cats)
			}
		}
		out = append(out, w)
	}
	if len(out) == 0 {
		t.Fatal("no campaign to cover: the test shows nothing")
	}
	return out
}

// checkNoGlobalCalls fails the test if Leadbell called SmartLead's global
// webhook API (/webhook/...), which the default scope never uses.
func checkNoGlobalCalls(t *testing.T, sim *simulator.Server) {
	t.Helper()
	for _, c := range sim.Calls() {
		if strings.HasPrefix(c.Path, "/api/v1/webhook/") {
			t.Errorf("the default scope called the global webhook API: %+v", c)
		}
	}
}

// sameIDs reports whether the status's webhook_id names exactly hooks.
func sameIDs(webhookID string, hooks []smartlead.Webhook) bool {
	got := strings.Split(webhookID, ",")
	want := make([]string, 0, len(hooks))
	for _, w := range hooks {
		want = append(want, w.ID)
	}
	slices.Sort(got)
	slices.Sort(want)
	return slices.Equal(got, want)
}

// TestServe walks the engine's life: register, deliver, list, stream,
// restart, and still exactly one webhook per campaign at SmartLead, on an
// account with the per-campaign API only and on one that also has the
// global API (which the default scope leaves alone).
func TestServe(t *testing.T) {
	for _, family := range []struct {
		name   string
		family simulator.Family
	}{{"per-campaign API only", simulator.FamilyLive}, {"both APIs", simulator.FamilyBoth}} {
		t.Run(family.name, func(t *testing.T) { testServe(t, family.family) })
	}
}

func testServe(t *testing.T, family simulator.Family) {
	sim := newSim(t, family)
	dir := t.TempDir()
	listen := freeAddr(t)
	key := []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}
	gen := sim.Generator()

	p := start(t, key, serveArgs(dir, listen, sim)...)
	st := p.waitState("listening")
	if !st.Registered || st.WebhookID == "" {
		t.Fatalf("status %+v: want registered with a webhook id", st)
	}
	if !strings.HasPrefix(st.WebhookURL, "http://"+listen+"/hooks/") || len(st.WebhookURL)-len("http://"+listen+"/hooks/") < 32 {
		t.Fatalf("webhook_url %q: want http://%s/hooks/<long token>", st.WebhookURL, listen)
	}
	hooks := checkPerCampaign(t, sim, st.WebhookURL)
	if !sameIDs(st.WebhookID, hooks) {
		t.Fatalf("status webhook_id %q, SmartLead holds %+v", st.WebhookID, hooks)
	}

	stream := p.openStream("/api/stream", nil)
	stream.wait(t, "ready", 1)

	reply := gen.Event(event.Replied)
	emit(t, sim, reply)
	emit(t, sim, reply) // SmartLead retries and duplicates: stored once
	msgs := stream.wait(t, "event", 1)
	var streamed eventJSON
	if err := json.Unmarshal([]byte(msgs[0].Data), &streamed); err != nil {
		t.Fatal(err)
	}
	if streamed.Type != "EMAIL_REPLIED" || msgs[0].ID != streamed.ID {
		t.Fatalf("streamed %+v (sse id %q), want the reply with its id", streamed, msgs[0].ID)
	}

	var page pageJSON
	p.getJSON("/api/events?type=EMAIL_REPLIED", &page)
	if len(page.Events) != 1 || page.Events[0].ID != streamed.ID {
		t.Fatalf("listed %+v, want exactly the streamed reply", page.Events)
	}
	if page.Events[0].VerifiedBy != "signature" && page.Events[0].VerifiedBy != "secret_key" {
		t.Errorf("verified_by %q, want signature or secret_key", page.Events[0].VerifiedBy)
	}
	var one eventJSON
	if code := p.getJSON("/api/events/"+streamed.ID, &one); code != 200 || len(one.Raw) == 0 {
		t.Fatalf("GET event: %d, raw %d bytes", code, len(one.Raw))
	}
	if bytesContains(one.Raw, secret) {
		t.Error("the raw payload served to the UI holds the webhook secret")
	}
	var read struct{ Read bool }
	if code := p.postJSON("/api/events/"+streamed.ID+"/read", map[string]bool{"read": true}, &read); code != 200 || !read.Read {
		t.Fatalf("mark read: %d %+v", code, read)
	}
	var timeline struct{ Events []eventJSON }
	p.getJSON("/api/leads/"+streamed.LeadID+"/events", &timeline)
	if len(timeline.Events) != 1 {
		t.Fatalf("lead timeline has %d events, want 1", len(timeline.Events))
	}
	p.stop()

	// Restart: the same URL, the same webhook, the read state kept.
	p = start(t, key, serveArgs(dir, listen, sim)...)
	st2 := p.waitState("listening")
	if st2.WebhookURL != st.WebhookURL || st2.WebhookID != st.WebhookID {
		t.Fatalf("after restart: %s (%s), want %s (%s)", st2.WebhookURL, st2.WebhookID, st.WebhookURL, st.WebhookID)
	}
	if again := checkPerCampaign(t, sim, st2.WebhookURL); !sameIDs(st2.WebhookID, again) || len(again) != len(hooks) {
		t.Fatalf("after restart SmartLead holds %+v, want the %d webhooks %s", again, len(hooks), st.WebhookID)
	}
	p.getJSON("/api/events/"+streamed.ID, &one)
	if !one.Read {
		t.Error("read state lost across restart")
	}
	stream = p.openStream("/api/stream", map[string]string{"Last-Event-ID": "0"})
	emit(t, sim, gen.Event(event.Opened))
	if got := stream.wait(t, "event", 2); got[0].ID != streamed.ID {
		t.Fatalf("catch-up from Last-Event-ID 0 began with %q, want %q", got[0].ID, streamed.ID)
	}
	p.stop()
	checkNoGlobalCalls(t, sim)

	// A new public URL updates the registration instead of adding one.
	listen2 := freeAddr(t)
	p = start(t, key, serveArgs(dir, listen2, sim)...)
	st3 := p.waitState("listening")
	if !strings.HasPrefix(st3.WebhookURL, "http://"+listen2+"/hooks/") {
		t.Fatalf("after a URL change webhook_url is %q, want it on %s", st3.WebhookURL, listen2)
	}
	moved := checkPerCampaign(t, sim, st3.WebhookURL)
	if st3.WebhookID != st.WebhookID || !sameIDs(st3.WebhookID, moved) {
		t.Fatalf("after a URL change SmartLead holds %+v (status %s), want the webhooks %s updated, not new ones", moved, st3.WebhookID, st.WebhookID)
	}
	p.stop()
}

func TestBadKeyIsAClearStateNotARetryLoop(t *testing.T) {
	sim := newSim(t, simulator.FamilyBoth)
	const badKey = "sl-not-a-real-key-123456"
	p := start(t, []string{"SMARTLEAD_API_KEY=" + badKey}, serveArgs(t.TempDir(), freeAddr(t), sim)...)
	st := p.waitState("unauthorized")
	if !strings.Contains(st.Message, "API key") {
		t.Errorf("message %q does not say what is wrong", st.Message)
	}
	if st.Registered || len(sim.Webhooks()) != 0 {
		t.Error("registered a webhook with a refused key")
	}
	p.stop()
	if strings.Contains(p.logs(), badKey) {
		t.Error("the API key appears in the logs")
	}
}

func TestNoKeyIsSignedOut(t *testing.T) {
	sim := newSim(t, simulator.FamilyBoth)
	p := start(t, nil, serveArgs(t.TempDir(), freeAddr(t), sim)...)
	p.waitState("signed_out")
	p.stop()
}

func TestSecondInstanceFailsFast(t *testing.T) {
	sim := newSim(t, simulator.FamilyBoth)
	dir := t.TempDir()
	key := []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}
	p := start(t, key, serveArgs(dir, freeAddr(t), sim)...)
	st := p.waitState("listening")
	before := sim.Webhooks()

	second := exec2(t, key, serveArgs(dir, freeAddr(t), sim)...)
	if second.code == 0 || !strings.Contains(second.stderr, "already running") {
		t.Fatalf("second instance: exit %d, stderr %q; want a failure saying one is already running", second.code, second.stderr)
	}
	if after := checkPerCampaign(t, sim, st.WebhookURL); len(sim.Webhooks()) != len(before) || !sameIDs(st.WebhookID, after) {
		t.Fatalf("SmartLead holds %+v after a second launch, want the first one's %+v untouched", sim.Webhooks(), before)
	}
	p.waitState("listening")
	p.stop()
}

func bytesContains(b []byte, s string) bool { return strings.Contains(string(b), s) }
