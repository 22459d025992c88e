package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/smartleadtest"
)

// watchdogArgs are serveArgs with a short watchdog period.
func watchdogArgs(dir, listen string, sim *smartleadtest.Server, period string, extra ...string) []string {
	return append(append(serveArgs(dir, listen, sim), "--watchdog", period), extra...)
}

// TestWatchdogRepairsRegistration: a webhook deleted or disabled at
// SmartLead behind Leadbell's back is repaired by the first watchdog check
// after it happened, so within one period.
func TestWatchdogRepairsRegistration(t *testing.T) {
	tests := []struct {
		name    string
		breakIt func(sim *smartleadtest.Server, id string)
		repair  func(id string) smartleadtest.Call
	}{
		{"deleted", func(sim *smartleadtest.Server, id string) { sim.RemoveWebhook(id) },
			func(string) smartleadtest.Call {
				return smartleadtest.Call{Method: "POST", Path: "/api/v1/webhook/create", Status: 200}
			}},
		{"disabled", func(sim *smartleadtest.Server, id string) { sim.DisableWebhook(id) },
			func(id string) smartleadtest.Call {
				return smartleadtest.Call{Method: "PUT", Path: "/api/v1/webhook/update/" + id, Status: 200}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, smartleadtest.FamilySpec)
			p := start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}, watchdogArgs(t.TempDir(), freeAddr(t), sim, "1s")...)
			st := p.waitState("listening")
			hooks := activeHooks(sim)
			if len(hooks) != 1 {
				t.Fatalf("SmartLead holds %+v, want one webhook", hooks)
			}
			before := len(sim.Calls())
			tt.breakIt(sim, hooks[0].ID)

			deadline := time.Now().Add(30 * time.Second)
			for {
				if h := activeHooks(sim); len(h) == 1 && h[0].URL == st.WebhookURL {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("not repaired: SmartLead holds %+v\n%s", sim.Webhooks(), p.logs())
				}
				time.Sleep(20 * time.Millisecond)
			}
			// The first look at the webhook after the break found it broken
			// and repaired it at once.
			calls := sim.Calls()[before:]
			look := -1
			for i, c := range calls {
				if c.Method == "GET" && c.Path == "/api/v1/webhook/"+hooks[0].ID {
					look = i
					break
				}
			}
			if want := tt.repair(hooks[0].ID); look < 0 || look+1 >= len(calls) || calls[look+1] != want {
				t.Fatalf("calls after the break %+v: want the first check's GET of webhook %s followed by %+v", calls, hooks[0].ID, want)
			}
			if st := p.waitState("listening"); st.WebhookID != activeHooks(sim)[0].ID {
				t.Errorf("status names webhook %s, SmartLead holds %s", st.WebhookID, activeHooks(sim)[0].ID)
			}
			p.stop()
		})
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
	sim := newSim(t, smartleadtest.FamilyBoth)
	listen := freeAddr(t)
	public := newFlakyPublicURL(t, listen)
	p := start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()},
		watchdogArgs(t.TempDir(), listen, sim, "1s", "--public-url", public.URL)...)
	p.waitState("listening")

	public.down.Store(true)
	p.waitState("stalled")
	reply := sim.Generator().Event(smartlead.EventReplied)
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
	replies := p.eventsOfType(smartlead.EventReplied)
	if len(replies) != 1 || replies[0].MessageID != reply.MessageID || !replies[0].Backfilled {
		t.Fatalf("stored replies %+v, want the one missed while stalled, backfilled", replies)
	}
	p.stop()
}
