package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// watchdogArgs are serveArgs with a short watchdog period.
func watchdogArgs(dir, listen string, sim *simulator.Server, period string, extra ...string) []string {
	return append(append(serveArgs(dir, listen, sim), "--watchdog", period), extra...)
}

// TestWatchdogRepairsRegistration: an account-wide webhook (--scope
// account, on an account with the global API) deleted or disabled at
// SmartLead behind Leadbell's back is repaired by the first watchdog check
// after it happened, so within one period. (The per-campaign API cannot
// read one webhook, so per-campaign webhooks are looked at on the hourly
// full pass instead: TestWatchdogFollowsCampaigns covers what a watchdog
// check does for them.)
func TestWatchdogRepairsRegistration(t *testing.T) {
	tests := []struct {
		name    string
		breakIt func(sim *simulator.Server, id string)
		repair  func(id string) simulator.Call
	}{
		{"deleted", func(sim *simulator.Server, id string) { sim.RemoveWebhook(id) },
			func(string) simulator.Call {
				return simulator.Call{Method: "POST", Path: "/api/v1/webhook/create", Status: 200}
			}},
		{"disabled", func(sim *simulator.Server, id string) { sim.DisableWebhook(id) },
			func(id string) simulator.Call {
				return simulator.Call{Method: "PUT", Path: "/api/v1/webhook/update/" + id, Status: 200}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, simulator.FamilyBoth)
			p := start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}, watchdogArgs(t.TempDir(), freeAddr(t), sim, "1s", "--scope", "account")...)
			st := p.waitState("listening")
			hooks := activeHooks(sim)
			if len(hooks) != 1 || hooks[0].Level() != smartlead.LevelUser || hooks[0].URL != st.WebhookURL || st.WebhookID != hooks[0].ID {
				t.Fatalf("SmartLead holds %+v (status %s), want one user-level webhook", hooks, st.WebhookID)
			}
			before := len(sim.Calls())
			tt.breakIt(sim, hooks[0].ID)

			// The first look at the webhook after the break finds it broken
			// and repairs it at once. (The simulator records a call once
			// it has answered it, a moment after the change is visible.)
			want := tt.repair(hooks[0].ID)
			repairedAfterLook := func() bool {
				calls := sim.Calls()[before:]
				for i, c := range calls {
					if c.Method == "GET" && c.Path == "/api/v1/webhook/"+hooks[0].ID {
						return i+1 < len(calls) && calls[i+1] == want
					}
				}
				return false
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				if h := activeHooks(sim); len(h) == 1 && h[0].URL == st.WebhookURL && repairedAfterLook() {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("not repaired by the first look: SmartLead holds %+v; calls after the break %+v, want the GET of webhook %s followed by %+v\n%s",
						sim.Webhooks(), sim.Calls()[before:], hooks[0].ID, want, p.logs())
				}
				time.Sleep(20 * time.Millisecond)
			}
			// The status follows once the repair is saved (a moment after
			// SmartLead holds the new webhook).
			repaired := activeHooks(sim)[0].ID
			p.waitStatus("the repaired webhook's id", func(st status) bool { return st.State == "listening" && st.WebhookID == repaired })
			p.stop()
		})
	}
}

// TestWatchdogFollowsCampaigns: with a webhook per campaign (the default),
// each watchdog check follows the account's campaigns: one created in
// SmartLead gets its webhook (and its events arrive), an archived one's is
// deleted, a deleted one's is forgotten, all within a few periods.
func TestWatchdogFollowsCampaigns(t *testing.T) {
	sim := newSim(t, simulator.FamilyLive)
	p := start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}, watchdogArgs(t.TempDir(), freeAddr(t), sim, "1s")...)
	st := p.waitState("listening")
	hooks := checkPerCampaign(t, sim, st.WebhookURL)
	gen := sim.Generator()

	added := sim.AddCampaign("Spring launch — UK", "ACTIVE")
	waitHooks(t, p, sim, st.WebhookURL, "a webhook on the new campaign", func(hs []smartlead.Webhook) bool {
		return slices.ContainsFunc(hs, func(w smartlead.Webhook) bool { return w.CampaignID == added.ID })
	})
	lead := leadOf(t, gen, added.ID)
	emit(t, sim, gen.EventFor(event.Replied, lead))
	if got := p.eventsByLead(event.Replied, lead.Email); len(got) != 1 || got[0].CampaignID != added.ID {
		t.Fatalf("replies stored for %s of the new campaign: %+v, want one", lead.Email, got)
	}

	archived, removed := hooks[0], hooks[1]
	sim.SetCampaignStatus(archived.CampaignID, smartlead.CampaignArchived)
	sim.RemoveCampaign(removed.CampaignID)
	final := waitHooks(t, p, sim, st.WebhookURL, "the archived and the deleted campaign's webhooks gone", func(hs []smartlead.Webhook) bool {
		return !slices.ContainsFunc(hs, func(w smartlead.Webhook) bool {
			return w.CampaignID == archived.CampaignID || w.CampaignID == removed.CampaignID
		})
	})
	if len(final) != len(hooks)-1 {
		t.Fatalf("SmartLead holds %d webhooks, want %d: one more for the new campaign, two less", len(final), len(hooks)-1)
	}
	if ids := p.status().WebhookID; strings.Contains(","+ids+",", ","+archived.ID+",") || strings.Contains(","+ids+",", ","+removed.ID+",") {
		t.Errorf("the status still names webhooks %s or %s: %s", archived.ID, removed.ID, ids)
	}
	p.stop()
}

// waitHooks waits until SmartLead holds a webhook per campaign not archived
// (checkPerCampaign), the status names exactly those, and ok says they are
// what the test waits for.
func waitHooks(t *testing.T, p *proc, sim *simulator.Server, hook, what string, ok func([]smartlead.Webhook) bool) []smartlead.Webhook {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var hs []smartlead.Webhook
		for _, w := range sim.Webhooks() {
			if w.URL == hook {
				hs = append(hs, w)
			}
		}
		if st := p.status(); ok(hs) && st.State == "listening" && sameIDs(st.WebhookID, hs) {
			checkPerCampaign(t, sim, hook)
			return hs
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: SmartLead holds %+v, status %+v\n%s", what, hs, p.status(), p.logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// flakyPublicURL is the public URL in front of `--listen`, as a tunnel
// edge would be; down, it answers 502 as an edge whose agent is gone.
type flakyPublicURL struct {
	*httptest.Server
	down atomic.Bool
}

func newFlakyPublicURL(t *testing.T, listen string) *flakyPublicURL {
	t.Helper()
	target, _ := url.Parse("http://" + listen)
	proxy := httputil.NewSingleHostReverseProxy(target)
	f := &flakyPublicURL{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.down.Load() {
			http.Error(w, "tunnel not found", http.StatusBadGateway)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

// TestStallAndBack: a public URL that stops delivering turns the state to
// "stalled" (never "listening" while deaf); once it delivers again the state
// is "listening" again and what SmartLead failed to deliver meanwhile is
// re-triggered and stored.
func TestStallAndBack(t *testing.T) {
	sim := newSim(t, simulator.FamilyBoth)
	listen := freeAddr(t)
	public := newFlakyPublicURL(t, listen)
	p := start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()},
		watchdogArgs(t.TempDir(), listen, sim, "1s", "--public-url", public.URL)...)
	p.waitState("listening")

	public.down.Store(true)
	p.waitState("stalled")
	reply := sim.Generator().Event(event.Replied)
	ds, err := sim.Emit(context.Background(), reply)
	if err != nil || len(ds) == 0 || ds[len(ds)-1].OK() {
		t.Fatalf("deliveries while stalled %+v (%v), want failed ones", ds, err)
	}
	for range 5 { // still deaf: it must not claim otherwise
		if st := p.status(); st.State != "stalled" {
			t.Fatalf("state %q (%s) while the public URL is down", st.State, st.Message)
		}
		time.Sleep(100 * time.Millisecond)
	}

	public.down.Store(false)
	p.waitState("listening")
	p.waitCaughtUp(1)
	replies := p.eventsOfType(event.Replied)
	if len(replies) != 1 || replies[0].MessageID != reply.MessageID || !replies[0].Backfilled {
		t.Fatalf("stored replies %+v, want the one missed while stalled, backfilled", replies)
	}
	p.stop()
}
