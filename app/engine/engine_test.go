package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/engine/catchup"
	"github.com/leadbell/leadbell/app/secrets"
	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/app/tunnel"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
	"golang.org/x/time/rate"
)

// newEngine runs an engine's receiver on a loopback tunnel against sim.
// publicURL overrides the URL registered at SmartLead ("" = the listener's).
func newEngine(t *testing.T, sim *simulator.Server, key, publicURL string, campaigns ...string) *Engine {
	t.Helper()
	return newEngineOn(t, store.Options{}, sim, key, publicURL, campaigns...)
}

// newEngineOn is newEngine with a store opened with opts.
func newEngineOn(t *testing.T, opts store.Options, sim *simulator.Server, key, publicURL string, campaigns ...string) *Engine {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "leadbell.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tun, err := tunnel.Local("127.0.0.1:0", publicURL)
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Config{DataDir: dir, SmartLeadURL: sim.URL(), APIKey: key, Campaigns: campaigns, SelfTestTimeout: 2 * time.Second,
		CatchUp: catchup.Options{Quiet: 100 * time.Millisecond, Poll: 10 * time.Millisecond},
		Client:  smartlead.ClientOptions{Limiter: rate.NewLimiter(rate.Inf, 0)}}, st, secrets.NewFile(filepath.Join(t.TempDir(), "secrets.json")), tun)
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
	e.check(ctx, nil)
	if st := e.Status(); st.State != api.StateListening {
		t.Fatalf("state %q (%s), want listening", st.State, st.Message)
	}
}

func enabledHooks(sim *simulator.Server) []smartlead.Webhook {
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
		breakIt  func(sim *simulator.Server, id string)
		mode     regMode
		sameHook bool
	}{
		// Found by a full pass (hourly), which lists each campaign's hooks.
		{"deleted behind our back", func(sim *simulator.Server, id string) { sim.RemoveWebhook(id) }, regFull, false},
		// SmartLead's list does not say a hook is disabled: the save after
		// a gap (a catch-up) repairs it.
		{"disabled by SmartLead", func(sim *simulator.Server, id string) { sim.DisableWebhook(id) }, regRepair, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := simulator.NewServer(simulator.Options{NoTestEvents: true})
			defer sim.Close()
			campaign := sim.Campaigns()[0].ID
			e := newEngine(t, sim, sim.APIKey(), "", campaign)
			connectAndCheck(t, e)
			before := enabledHooks(sim)
			if len(before) != 1 {
				t.Fatalf("%d hooks after connect, want 1", len(before))
			}
			tt.breakIt(sim, before[0].ID)
			if err := e.register(context.Background(), tt.mode); err != nil {
				t.Fatal(err)
			}
			after := enabledHooks(sim)
			if len(after) != 1 || after[0].URL != e.HookURL() {
				t.Fatalf("after repair SmartLead holds %+v, want one enabled hook at our URL", after)
			}
			if (after[0].ID == before[0].ID) != tt.sameHook {
				t.Errorf("hook id %s -> %s; same hook expected: %v", before[0].ID, after[0].ID, tt.sameHook)
			}
			if st := e.Status(); st.WebhookID != after[0].ID || !st.Registered {
				t.Errorf("status %+v, want registered with webhook %s", st, after[0].ID)
			}
			reg, _, _ := registrationDoc.Get(e.store)
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
	sim := simulator.NewServer(simulator.Options{NoTestEvents: true})
	defer sim.Close()
	campaign := sim.Campaigns()[0].ID
	e := newEngine(t, sim, sim.APIKey(), "", campaign)
	client := smartlead.NewClient(sim.URL(), sim.APIKey(), smartlead.ClientOptions{})
	orphan, err := client.SaveCampaignWebhook(context.Background(), smartlead.Webhook{CampaignID: campaign, Name: "Leadbell",
		URL: e.HookURL(), EventTypes: event.Types, Categories: []string{"Interested"}})
	if err != nil {
		t.Fatal(err)
	}
	connectAndCheck(t, e)
	hooks := enabledHooks(sim)
	if len(hooks) != 1 || hooks[0].ID != orphan.ID {
		t.Fatalf("SmartLead holds %+v, want only the adopted hook %s", hooks, orphan.ID)
	}
	if len(hooks[0].Categories) < 7 {
		t.Errorf("the adopted hook has categories %v, want every category of the account", hooks[0].Categories)
	}
}

// TestRegistersPerCampaign: on either kind of account the default is one
// webhook per campaign that can still send, each with every category of
// the account and the live event names, through the per-campaign API only.
func TestRegistersPerCampaign(t *testing.T) {
	for _, family := range []simulator.Family{simulator.FamilyLive, simulator.FamilyBoth} {
		for _, jsonMissing := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/json404=%v", family, jsonMissing), func(t *testing.T) {
				sim := simulator.NewServer(simulator.Options{Family: family, MissingRouteJSON: jsonMissing, NoTestEvents: true})
				defer sim.Close()
				archived := sim.AddCampaign("Old outreach", smartlead.CampaignArchived)
				e := newEngine(t, sim, sim.APIKey(), "")
				connectAndCheck(t, e)
				hooks := enabledHooks(sim)
				want := len(sim.Campaigns()) - 1
				if len(hooks) != want {
					t.Fatalf("%d hooks for %d campaigns that can send", len(hooks), want)
				}
				seen := map[string]bool{}
				for _, h := range hooks {
					if seen[h.CampaignID] || h.URL != e.HookURL() || h.CampaignID == archived.ID {
						t.Fatalf("hooks %+v: want one per campaign but the archived one, at our URL", hooks)
					}
					seen[h.CampaignID] = true
					if !sameTypes(h.EventTypes, event.Types) || len(h.Categories) != len(simulator.DefaultCategories()) {
						t.Errorf("hook %s: events %v categories %v", h.ID, h.EventTypes, h.Categories)
					}
				}
				for _, c := range sim.Calls() {
					if strings.HasPrefix(c.Path, "/api/v1/webhook/") {
						t.Errorf("called the global API: %s %s", c.Method, c.Path)
					}
				}
			})
		}
	}
}

// TestCategoriesFallBackToDefaults: when the account's categories cannot
// be read, SmartLead's default names are registered, never an empty list.
func TestCategoriesFallBackToDefaults(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{NoTestEvents: true})
	defer sim.Close()
	sim.SetCategories(append(simulator.DefaultCategories(), simulator.Category{ID: 90, Name: "Warm lead", Sentiment: "positive"}))
	e := newEngine(t, sim, sim.APIKey(), "", sim.Campaigns()[0].ID)
	connectAndCheck(t, e)
	if h := enabledHooks(sim); len(h) != 1 || !slices.Contains(h[0].Categories, "Warm lead") {
		t.Fatalf("hooks %+v, want the account's own category list", h)
	}

	sim2 := simulator.NewServer(simulator.Options{NoTestEvents: true})
	defer sim2.Close()
	sim2.FailCategories(http.StatusForbidden)
	e2 := newEngine(t, sim2, sim2.APIKey(), "", sim2.Campaigns()[0].ID)
	connectAndCheck(t, e2)
	var names []string
	for _, c := range smartlead.DefaultCategories {
		names = append(names, c.Name)
	}
	if h := enabledHooks(sim2); len(h) != 1 || !sameStrings(h[0].Categories, names) {
		t.Fatalf("hooks %+v, want SmartLead's default categories %v", h, names)
	}
}

func sameStrings(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestNewCampaignGetsItsWebhook: a campaign created while Leadbell runs
// gets its webhook at the next watchdog check; an archived or deleted
// one's is forgotten.
func TestNewCampaignGetsItsWebhook(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{NoTestEvents: true})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), "")
	connectAndCheck(t, e)
	n := len(enabledHooks(sim))
	added := sim.AddCampaign("Q1 founders", smartlead.CampaignActive)
	e.check(context.Background(), &lightPass)
	hooks := enabledHooks(sim)
	if len(hooks) != n+1 || !slices.ContainsFunc(hooks, func(h smartlead.Webhook) bool { return h.CampaignID == added.ID }) {
		t.Fatalf("after one check SmartLead holds %d hooks (%d before), want one on the new campaign %s", len(hooks), n, added.ID)
	}
	first := sim.Campaigns()[0].ID
	sim.SetCampaignStatus(first, smartlead.CampaignArchived)
	sim.RemoveCampaign(added.ID)
	e.check(context.Background(), &lightPass)
	hooks = enabledHooks(sim)
	if len(hooks) != n-1 || slices.ContainsFunc(hooks, func(h smartlead.Webhook) bool { return h.CampaignID == first || h.CampaignID == added.ID }) {
		t.Fatalf("SmartLead holds %+v, want the archived and the deleted campaigns' hooks gone", hooks)
	}
	reg, _, _ := registrationDoc.Get(e.store)
	if len(reg.Hooks) != n-1 {
		t.Errorf("saved registration has %d hooks, want %d", len(reg.Hooks), n-1)
	}
}

// TestAccountScope registers one user-level webhook through the global
// API when the user chooses it, and falls back to one per campaign, with
// a warning, on an account without that API.
func TestAccountScope(t *testing.T) {
	for _, family := range []simulator.Family{simulator.FamilyBoth, simulator.FamilyLive} {
		t.Run(family.String(), func(t *testing.T) {
			sim := simulator.NewServer(simulator.Options{Family: family, NoTestEvents: true})
			defer sim.Close()
			e := newEngine(t, sim, sim.APIKey(), "")
			e.settings.Scope = settings.Scope{All: true, Level: settings.LevelAccount}
			connectAndCheck(t, e)
			hooks := enabledHooks(sim)
			warned := slices.ContainsFunc(e.Status().Warnings, func(w api.Warning) bool { return w.Code == api.WarnScopeFallback })
			if family == simulator.FamilyBoth {
				if len(hooks) != 1 || hooks[0].Level() != smartlead.LevelUser || warned {
					t.Fatalf("hooks %+v (warned %v), want one user-level hook", hooks, warned)
				}
				return
			}
			if len(hooks) != len(sim.Campaigns()) || !warned {
				t.Fatalf("%d hooks for %d campaigns (warned %v), want the per-campaign fallback and a warning", len(hooks), len(sim.Campaigns()), warned)
			}
		})
	}
}

// TestUnreachableAddressIsNotRegistered: a loopback public address is not
// registered at a SmartLead on the internet, and the state says why.
func TestUnreachableAddressIsNotRegistered(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{NoTestEvents: true})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), "")
	e.cfg.SmartLeadURL = "https://server.smartlead.ai/api/v1" // as seen from the real SmartLead
	err := e.checkReach()
	if !errors.Is(err, errUnreachable) {
		t.Fatalf("checkReach = %v, want errUnreachable", err)
	}
	st := e.Status()
	if st.State != api.StateUnreachable || !strings.Contains(st.Message, "SmartLead cannot reach this computer yet") {
		t.Fatalf("status %q %q, want unreachable and why", st.State, st.Message)
	}
	if len(sim.Webhooks()) != 0 {
		t.Error("registered anyway")
	}
}

func TestRefusedKeyStopsWithoutRetrying(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{})
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
	sim := simulator.NewServer(simulator.Options{NoTestEvents: true})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), impostor.URL, sim.Campaigns()[0].ID)
	if err := e.connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.check(context.Background(), nil)
	if st := e.Status(); st.State != api.StateStalled {
		t.Fatalf("state %q (%s), want stalled", st.State, st.Message)
	}
}

// lightPass is the watchdog's ordinary check.
var lightPass = regLight
