package e2e

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/smartleadtest"
)

type settingsJSON struct {
	SignedIn      bool   `json:"signed_in"`
	APIKeyHint    string `json:"api_key_hint"`
	SecretStorage string `json:"secret_storage"`
	Scope         struct {
		All       bool     `json:"all"`
		Campaigns []string `json:"campaigns"`
	} `json:"scope"`
	Events []string `json:"events"`
}

// TestSignInSettingsAndSignOut walks the account's life through the API:
// distinct answers for bad keys, a kept key across restarts, a new scope
// registered at once, and sign-out removing the webhook.
func TestSignInSettingsAndSignOut(t *testing.T) {
	sim := newSim(t, smartleadtest.FamilySpec)
	dir := t.TempDir()
	listen := freeAddr(t)
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
	if n := len(sim.Webhooks()); n != 0 {
		t.Fatalf("%d webhooks after refused sign-ins", n)
	}
	if got := p.postJSON("/api/signin", map[string]string{"api_key": sim.APIKey()}, nil); got != 200 {
		t.Fatalf("sign in with a good key: %d", got)
	}
	p.waitState("listening")
	var s settingsJSON
	p.getJSON("/api/settings", &s)
	if !s.SignedIn || s.SecretStorage != "file" || !strings.HasSuffix(sim.APIKey(), strings.TrimPrefix(s.APIKeyHint, "…")) {
		t.Fatalf("settings %+v after sign-in", s)
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
	p.waitState("listening")
	if n := len(activeHooks(sim)); n != 1 {
		t.Fatalf("%d webhooks after restart, want 1", n)
	}

	// A chosen campaign replaces the all-campaigns webhook.
	campaign := sim.Campaigns()[0].ID
	body := map[string]any{"scope": map[string]any{"all": false, "campaigns": []string{campaign}}, "events": []string{"EMAIL_REPLIED", "EMAIL_BOUNCED"}}
	if got := putJSON(t, p.UI+"/api/settings", body); got != 200 {
		t.Fatalf("PUT settings: %d", got)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		hooks := activeHooks(sim)
		if len(hooks) == 1 && hooks[0].CampaignID == campaign && len(hooks[0].EventTypes) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after choosing campaign %s SmartLead holds %+v", campaign, hooks)
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.waitState("listening")
	if got := putJSON(t, p.UI+"/api/settings", map[string]any{"events": []string{}}); got != 400 {
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
	if n := len(activeHooks(sim)); n != 0 {
		t.Fatalf("%d webhooks after sign-out, want 0", n)
	}
	p.stop()
}

// TestInspectorReplayAndStats covers the inspector's calls: every answer
// listed (a rejected one included), replay storing nothing new, and counts.
func TestInspectorReplayAndStats(t *testing.T) {
	sim := newSim(t, smartleadtest.FamilySpec)
	p := start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}, serveArgs(t.TempDir(), freeAddr(t), sim)...)
	st := p.waitState("listening")
	gen := sim.Generator()
	emit(t, sim, gen.Event(smartlead.EventSent))
	emit(t, sim, gen.Event(smartlead.EventReplied))
	bad := []byte(`{"event":"EMAIL_REPLIED","lead_id":1,"timestamp":"2026-11-20T10:00:00Z"}`)
	req, _ := http.NewRequest(http.MethodPost, st.WebhookURL, bytes.NewReader(bad))
	req.Header.Set(smartlead.SignatureHeader, "sha256="+strings.Repeat("0", 64))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("bad signature answered %d", resp.StatusCode)
	}

	var ds struct {
		Deliveries []struct {
			Status     int
			Reason     string
			EventID    string `json:"event_id"`
			VerifiedBy string `json:"verified_by"`
			Type       string
			Body       string
		}
	}
	p.getJSON("/api/deliveries", &ds)
	if len(ds.Deliveries) != 3 || ds.Deliveries[0].Status != 401 || ds.Deliveries[0].Reason == "" || ds.Deliveries[0].Body != string(bad) {
		t.Fatalf("deliveries %+v: want the 401 first, with its reason and body", ds.Deliveries)
	}
	reply := ds.Deliveries[1]
	if reply.Status != 200 || reply.Type != "EMAIL_REPLIED" || reply.EventID == "" || reply.VerifiedBy == "" {
		t.Fatalf("second delivery %+v: want the accepted reply", reply)
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
	if len(stats.Buckets) != 24 || sum["EMAIL_SENT"] != 1 || sum["EMAIL_REPLIED"] != 1 || len(stats.Campaigns) == 0 {
		t.Fatalf("stats: %d buckets, sums %v, campaigns %+v", len(stats.Buckets), sum, stats.Campaigns)
	}
	p.getJSON("/api/stats?range=30d", &stats)
	if len(stats.Buckets) != 30 {
		t.Fatalf("30d stats have %d buckets", len(stats.Buckets))
	}
	p.stop()

	// After a restart the inspector still lists the rejected delivery.
	p = start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}, serveArgs(p.dataDir(), freeAddr(t), sim)...)
	p.getJSON("/api/deliveries", &ds)
	if len(ds.Deliveries) != 3 || ds.Deliveries[0].Status != 401 {
		t.Fatalf("deliveries after restart %+v", ds.Deliveries)
	}
	p.stop()
}

func putJSON(t *testing.T, url string, body any) int {
	t.Helper()
	b, _ := jsonMarshal(body)
	req, _ := http.NewRequest(http.MethodPut, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
