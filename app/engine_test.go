package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/secrets"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/smartleadtest"
	"github.com/leadbell/leadbell/app/tunnel"
	"github.com/leadbell/leadbell/store"
	"golang.org/x/time/rate"
)

// newEngine runs an engine's receiver on a loopback tunnel against sim.
// publicURL overrides the URL registered at SmartLead ("" = the listener's).
func newEngine(t *testing.T, sim *smartleadtest.Server, key, publicURL string, campaigns ...string) *Engine {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tun, err := tunnel.Local("127.0.0.1:0", publicURL)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(Config{SmartLeadURL: sim.URL(), APIKey: key, Campaigns: campaigns, SelfTestTimeout: 2 * time.Second,
		Client: smartlead.ClientOptions{Limiter: rate.NewLimiter(rate.Inf, 0)}}, st, secrets.NewFile(filepath.Join(t.TempDir(), "secrets.json")), tun)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: e.Receiver()}
	go srv.Serve(tun.Listener())
	t.Cleanup(func() { srv.Close() })
	return e
}

func connectAndCheck(t *testing.T, e *Engine) {
	t.Helper()
	ctx := context.Background()
	if err := e.connect(ctx); err != nil {
		t.Fatalf("connect: %v", err)
	}
	e.check(ctx, false)
	if st := e.Status(); st.State != api.StateListening {
		t.Fatalf("state %q (%s), want listening", st.State, st.Message)
	}
}

func enabledHooks(sim *smartleadtest.Server) []smartlead.Webhook {
	var out []smartlead.Webhook
	for _, w := range sim.Webhooks() {
		if w.Enabled {
			out = append(out, w)
		}
	}
	return out
}

func TestWatchdogRepairsRegistration(t *testing.T) {
	tests := []struct {
		name     string
		breakIt  func(sim *smartleadtest.Server, id string)
		sameHook bool
	}{
		{"deleted behind our back", func(sim *smartleadtest.Server, id string) { sim.RemoveWebhook(id) }, false},
		{"disabled by SmartLead", func(sim *smartleadtest.Server, id string) { sim.DisableWebhook(id) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := smartleadtest.NewServer(smartleadtest.Options{Family: smartleadtest.FamilySpec})
			defer sim.Close()
			e := newEngine(t, sim, sim.APIKey(), "")
			connectAndCheck(t, e)
			before := enabledHooks(sim)
			if len(before) != 1 {
				t.Fatalf("%d hooks after connect, want 1", len(before))
			}
			tt.breakIt(sim, before[0].ID)
			e.check(context.Background(), true)
			after := enabledHooks(sim)
			if len(after) != 1 || after[0].URL != e.HookURL() {
				t.Fatalf("after repair SmartLead holds %+v, want one enabled hook at our URL", after)
			}
			if (after[0].ID == before[0].ID) != tt.sameHook {
				t.Errorf("hook id %s -> %s; same hook expected: %v", before[0].ID, after[0].ID, tt.sameHook)
			}
			if st := e.Status(); st.State != api.StateListening || st.WebhookID != after[0].ID {
				t.Errorf("status %+v, want listening with webhook %s", st, after[0].ID)
			}
			var reg Registration
			e.store.GetJSON(registrationKey, &reg)
			if len(reg.Hooks) != 1 || reg.Hooks[0].ID != after[0].ID {
				t.Errorf("saved registration %+v, want hook %s", reg, after[0].ID)
			}
		})
	}
}

// A crash between creating a webhook and saving the registration leaves a
// webhook at SmartLead that the store does not know: it is adopted, not
// doubled.
func TestAdoptsUnsavedWebhook(t *testing.T) {
	sim := smartleadtest.NewServer(smartleadtest.Options{Family: smartleadtest.FamilyLive})
	defer sim.Close()
	campaign := sim.Campaigns()[0].ID
	e := newEngine(t, sim, sim.APIKey(), "", campaign)
	client := smartlead.NewClient(sim.URL(), sim.APIKey(), smartlead.ClientOptions{})
	orphan, err := client.CreateWebhook(context.Background(), smartlead.Webhook{CampaignID: campaign, Name: "Leadbell", URL: e.HookURL(), EventTypes: smartlead.EventTypes})
	if err != nil {
		t.Fatal(err)
	}
	connectAndCheck(t, e)
	hooks := enabledHooks(sim)
	if len(hooks) != 1 || hooks[0].ID != orphan.ID {
		t.Fatalf("SmartLead holds %+v, want only the adopted hook %s", hooks, orphan.ID)
	}
}

func TestUserLevelOnLiveAPIBecomesOneHookPerCampaign(t *testing.T) {
	sim := smartleadtest.NewServer(smartleadtest.Options{Family: smartleadtest.FamilyLive})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), "")
	connectAndCheck(t, e)
	hooks := enabledHooks(sim)
	if len(hooks) != len(sim.Campaigns()) {
		t.Fatalf("%d hooks for %d campaigns", len(hooks), len(sim.Campaigns()))
	}
	seen := map[string]bool{}
	for _, h := range hooks {
		if seen[h.CampaignID] || h.URL != e.HookURL() {
			t.Fatalf("hooks %+v: want one per campaign at our URL", hooks)
		}
		seen[h.CampaignID] = true
	}
}

func TestRefusedKeyStopsWithoutRetrying(t *testing.T) {
	sim := smartleadtest.NewServer(smartleadtest.Options{})
	defer sim.Close()
	for _, tt := range []struct {
		name, key, want string
	}{
		{"invalid key", "not-a-valid-key-0000", "401"},
		{"plan without API access", sim.NoAccessKey(), "403"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t, sim, tt.key, "")
			calls := len(sim.Calls())
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			e.Run(ctx) // returns when ctx ends: a refused key waits for the user
			st := e.Status()
			if st.State != api.StateUnauthorized || !strings.Contains(st.Message, tt.want) {
				t.Fatalf("status %q %q, want unauthorized naming %s", st.State, st.Message, tt.want)
			}
			if n := len(sim.Calls()) - calls; n != 1 {
				t.Errorf("%d API calls with a refused key, want 1 (no retry loop)", n)
			}
			if strings.Contains(st.Message, tt.key) {
				t.Error("the status message holds the key")
			}
		})
	}
}

// A public URL that answers but is not Leadbell (a tunnel pointing at the
// wrong place) leaves the state stalled, never listening.
func TestSelfTestThatDoesNotComeBackIsStalled(t *testing.T) {
	impostor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"received"}`))
	}))
	defer impostor.Close()
	sim := smartleadtest.NewServer(smartleadtest.Options{Family: smartleadtest.FamilySpec})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), impostor.URL)
	if err := e.connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.check(context.Background(), false)
	if st := e.Status(); st.State != api.StateStalled {
		t.Fatalf("state %q (%s), want stalled", st.State, st.Message)
	}
}
