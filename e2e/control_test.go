package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// deliveryJSON is the part of an entry of GET /api/deliveries the tests read.
type deliveryJSON struct {
	Status          int    `json:"status"`
	Reason          string `json:"reason"`
	EventID         string `json:"event_id"`
	VerifiedBy      string `json:"verified_by"`
	Type            string `json:"type"`
	Body            string `json:"body"`
	Test            bool   `json:"test"`
	SignatureHeader string `json:"signature_header"`
	SecretMismatch  bool   `json:"secret_mismatch"`
}

type settingsJSON struct {
	SignedIn      bool   `json:"signed_in"`
	APIKeyHint    string `json:"api_key_hint"`
	SecretStorage string `json:"secret_storage"`
	Scope         struct {
		All       bool     `json:"all"`
		Campaigns []string `json:"campaigns"`
		Level     string   `json:"level"`
	} `json:"scope"`
	Events        []string `json:"events"`
	OtherWebhooks []struct {
		Name         string `json:"name"`
		Level        string `json:"level"`
		CampaignID   string `json:"campaign_id"`
		CampaignName string `json:"campaign_name"`
		Host         string `json:"host"`
	} `json:"other_webhooks"`
}

// leadbellHooks are the webhooks SmartLead holds for Leadbell (not other
// tools').
func leadbellHooks(sim *simulator.Server) []smartlead.Webhook {
	var out []smartlead.Webhook
	for _, w := range sim.Webhooks() {
		if w.Name == "Leadbell" || strings.Contains(w.URL, "127.0.0.1") {
			out = append(out, w)
		}
	}
	return out
}

// TestSignInSettingsAndSignOut walks the account's life through the API:
// distinct answers for bad keys, a kept key across restarts, a webhook per
// campaign, another tool's webhook shown and left alone, a new scope
// registered at once, and sign-out removing every webhook of Leadbell's.
func TestSignInSettingsAndSignOut(t *testing.T) {
	sim := newSim(t, simulator.FamilyLive)
	dir := t.TempDir()
	listen := freeAddr(t)
	first := sim.Campaigns()[0]
	zap := sim.AddWebhook(smartlead.Webhook{CampaignID: first.ID, Name: "Zapier", URL: "https://hooks.zapier.com/hooks/catch/123456/abcdef/"})
	p := start(t, nil, serveArgs(dir, listen, sim)...)
	p.waitState("signed_out")

	for _, tt := range []struct {
		key, code string
		status    int
	}{
		{"sl-wrong-key-0000000", "invalid_key", 401},
		{sim.NoAccessKey(), "no_api_access", 403},
	} {
		var answer struct{ Error, Code string }
		if got := p.postJSON("/api/signin", map[string]string{"api_key": tt.key}, &answer); got != tt.status || answer.Code != tt.code || answer.Error == "" {
			t.Fatalf("sign in with %s: %d %+v, want %d %s", tt.code, got, answer, tt.status, tt.code)
		}
		if strings.Contains(answer.Error, tt.key) {
			t.Fatal("the error message holds the key")
		}
	}
	if n := len(leadbellHooks(sim)); n != 0 {
		t.Fatalf("%d webhooks after refused sign-ins", n)
	}
	if got := p.postJSON("/api/signin", map[string]string{"api_key": sim.APIKey()}, nil); got != 200 {
		t.Fatalf("sign in with a good key: %d", got)
	}
	st := p.waitState("listening")
	checkPerCampaign(t, sim, st.WebhookURL)
	var s settingsJSON
	p.getJSON("/api/settings", &s)
	if !s.SignedIn || s.SecretStorage != "file" || !strings.HasSuffix(sim.APIKey(), strings.TrimPrefix(s.APIKeyHint, "…")) {
		t.Fatalf("settings %+v after sign-in", s)
	}
	if s.Scope.Level != "campaigns" {
		t.Errorf("scope level %q, want campaigns by default", s.Scope.Level)
	}
	if o := s.OtherWebhooks; len(o) != 1 || o[0].Name != "Zapier" || o[0].Level != "campaign" || o[0].CampaignID != first.ID ||
		o[0].CampaignName != first.Name || o[0].Host != "hooks.zapier.com" {
		t.Errorf("other_webhooks %+v, want Zapier's on %s, by host only", o, first.ID)
	}
	info, err := os.Stat(filepath.Join(dir, "secrets.json"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("kept key file: %v, mode %v; want 0600", err, info.Mode().Perm())
	}
	p.stop()
	if strings.Contains(p.logs(), sim.APIKey()) {
		t.Fatal("the API key appears in the logs")
	}

	// The kept key signs in again after a restart, without flag or env.
	p = start(t, nil, serveArgs(dir, listen, sim)...)
	st2 := p.waitState("listening")
	if hooks := checkPerCampaign(t, sim, st2.WebhookURL); !sameIDs(st.WebhookID, hooks) {
		t.Fatalf("webhooks after restart %+v, want the same as before, %s", hooks, st.WebhookID)
	}

	// A chosen campaign replaces the webhooks of all campaigns.
	campaign := sim.Campaigns()[1].ID
	body := map[string]any{"scope": map[string]any{"all": false, "campaigns": []string{campaign}}, "events": []string{"EMAIL_REPLIED", "EMAIL_BOUNCED"}}
	if got := p.putJSON("/api/settings", body); got != 200 {
		t.Fatalf("PUT settings: %d", got)
	}
	// The client paces its calls to SmartLead's limits (a second each after
	// a burst), and a restart's catch-up has spent the burst.
	deadline := time.Now().Add(60 * time.Second)
	for {
		hooks := leadbellHooks(sim)
		if len(hooks) == 1 && hooks[0].CampaignID == campaign && hooks[0].Enabled && len(hooks[0].EventTypes) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after choosing campaign %s SmartLead holds %+v", campaign, hooks)
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.waitState("listening")
	if got := p.putJSON("/api/settings", map[string]any{"events": []string{}}); got != 400 {
		t.Fatalf("PUT settings with no events: %d, want 400", got)
	}

	var campaigns struct{ Campaigns []struct{ ID, Name string } }
	if p.getJSON("/api/campaigns", &campaigns); len(campaigns.Campaigns) != len(sim.Campaigns()) {
		t.Fatalf("campaigns %+v", campaigns)
	}

	if got := p.postJSON("/api/signout", nil, nil); got != 200 {
		t.Fatalf("sign out: %d", got)
	}
	p.waitState("signed_out")
	if hooks := leadbellHooks(sim); len(hooks) != 0 {
		t.Fatalf("webhooks of Leadbell's after sign-out %+v, want none", hooks)
	}
	if all := sim.Webhooks(); len(all) != 1 || all[0].ID != zap.ID || all[0].URL != zap.URL {
		t.Fatalf("SmartLead holds %+v after sign-out, want only Zapier's webhook, untouched", all)
	}
	p.stop()
}

// TestInspectorReplayAndStats covers the inspector's calls: every answer
// listed (a refused one, and one taken although its signature did not match
// the webhook secret, included), replay storing nothing new, and counts.
func TestInspectorReplayAndStats(t *testing.T) {
	sim := newSim(t, simulator.FamilyLive)
	p := start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}, serveArgs(t.TempDir(), freeAddr(t), sim)...)
	st := p.waitState("listening")
	gen := sim.Generator()
	emit(t, sim, gen.Event(event.Sent))
	emit(t, sim, gen.Event(event.Replied))
	post := func(body []byte, header http.Header) int {
		t.Helper()
		code, err := simulator.Deliver(context.Background(), nil, st.WebhookURL, body, header)
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	// Signed with another secret: taken on the path token, and flagged.
	mismatched := gen.Event(event.Opened).SpecJSON()
	if code := post(mismatched, http.Header{smartlead.SignatureHeader: {"sha256=" + strings.Repeat("0", 64)}}); code != 200 {
		t.Fatalf("a delivery signed with another secret answered %d, want 200", code)
	}
	// An event about nobody: refused, and kept in the rejected log.
	bad := []byte(`{"event":"EMAIL_REPLIED","timestamp":"2026-11-20T10:00:00Z"}`)
	if code := post(bad, nil); code != 400 {
		t.Fatalf("an event naming no lead or message answered %d, want 400", code)
	}

	var ds struct{ Deliveries []deliveryJSON }
	p.getJSON("/api/deliveries", &ds)
	got := withoutTests(ds.Deliveries)
	if len(got) != 4 || got[0].Status != 400 || got[0].Reason == "" || got[0].Body != string(bad) {
		t.Fatalf("deliveries %+v: want the 400 first, with its reason and body", got)
	}
	if m := got[1]; m.Status != 200 || !m.SecretMismatch || m.SignatureHeader != smartlead.SignatureHeader || m.VerifiedBy != "url_token" || m.Type != "EMAIL_OPENED" || m.EventID == "" {
		t.Fatalf("second delivery %+v: want the open taken on its path token, flagged as a secret mismatch in %s", m, smartlead.SignatureHeader)
	}
	reply := got[2]
	if reply.Status != 200 || reply.Type != "EMAIL_REPLIED" || reply.EventID == "" || reply.SecretMismatch ||
		(reply.VerifiedBy != "signature" && reply.VerifiedBy != "secret_key") {
		t.Fatalf("third delivery %+v: want the accepted reply, verified by the secret", reply)
	}
	if st := p.status(); !st.warned("secret_mismatch") {
		t.Errorf("status warnings %+v, want secret_mismatch", st.Warnings)
	}

	total := func() int { return total(p.status()) }
	before := total()
	var replay struct{ Status, ID string }
	if code := p.postJSON("/api/events/"+reply.EventID+"/replay", nil, &replay); code != 200 || replay.Status != "duplicate" || replay.ID != reply.EventID {
		t.Fatalf("replay: %d %+v, want a duplicate of %s", code, replay, reply.EventID)
	}
	if total() != before {
		t.Fatal("replay stored a second event")
	}

	var stats struct {
		Range   string
		Buckets []struct {
			Counts map[string]int
		}
		Campaigns []struct {
			ID        string
			Counts    map[string]int
			ReplyRate float64 `json:"reply_rate"`
		}
	}
	p.getJSON("/api/stats?range=24h", &stats)
	sum := map[string]int{}
	for _, b := range stats.Buckets {
		for k, v := range b.Counts {
			sum[k] += v
		}
	}
	if len(stats.Buckets) != 24 || sum["EMAIL_SENT"] != 1 || sum["EMAIL_REPLIED"] != 1 || sum["EMAIL_OPENED"] != 1 || len(stats.Campaigns) == 0 {
		t.Fatalf("stats: %d buckets, sums %v, campaigns %+v", len(stats.Buckets), sum, stats.Campaigns)
	}
	p.getJSON("/api/stats?range=30d", &stats)
	if len(stats.Buckets) != 30 {
		t.Fatalf("30d stats have %d buckets", len(stats.Buckets))
	}
	p.stop()

	// After a restart the inspector still lists the refused delivery, and
	// the stored ones.
	p = start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}, serveArgs(p.dataDir(), freeAddr(t), sim)...)
	p.getJSON("/api/deliveries", &ds)
	if got := withoutTests(ds.Deliveries); len(got) != 4 || got[0].Status != 400 || got[0].Body != string(bad) {
		t.Fatalf("deliveries after restart %+v", got)
	}
	p.stop()
}

// withoutTests leaves out SmartLead's test events, which it sends to each
// webhook when it is saved.
func withoutTests(ds []deliveryJSON) []deliveryJSON {
	var out []deliveryJSON
	for _, d := range ds {
		if !d.Test {
			out = append(out, d)
		}
	}
	return out
}
