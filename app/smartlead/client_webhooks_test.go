package smartlead_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

var allCategories = []string{"Do Not Contact", "Information Request", "Interested", "Meeting Request", "Not Interested", "Out Of Office", "Wrong Person"}

func equalWebhook(a, b smartlead.Webhook) bool {
	return a.ID == b.ID && a.CampaignID == b.CampaignID && a.ClientID == b.ClientID && a.Name == b.Name && a.URL == b.URL &&
		a.Enabled == b.Enabled && slices.Equal(a.EventTypes, b.EventTypes)
}

// TestCampaignWebhookLifecycle saves, lists, updates and deletes a
// campaign's webhook through the per-campaign API, on both kinds of
// account, as the strict fake answers (the saved webhook in the answer, no
// is_active in the list, live names on the wire).
func TestCampaignWebhookLifecycle(t *testing.T) {
	for _, family := range []simulator.Family{simulator.FamilyLive, simulator.FamilyBoth} {
		t.Run(family.String(), func(t *testing.T) {
			ctx := context.Background()
			s := newFake(t, simulator.Options{Family: family, NoTestEvents: true})
			c := newHarness(s.URL(), s.APIKey(), 0).c
			cid := s.Campaigns()[1].ID
			in := smartlead.Webhook{CampaignID: cid, Name: "Leadbell", URL: "https://leadbell.example/hooks/t0k3n",
				EventTypes: []event.Type{event.Replied, event.CategoryUpdated}, Categories: allCategories}

			w, err := c.SaveCampaignWebhook(ctx, in)
			if err != nil {
				t.Fatalf("SaveCampaignWebhook: %v", err)
			}
			in.ID, in.Enabled = w.ID, true
			if !equalWebhook(w, in) || !equalWebhook(s.Webhooks()[0], in) {
				t.Fatalf("saved %+v, fake holds %+v; want %+v", w, s.Webhooks()[0], in)
			}
			list, err := c.CampaignWebhooks(ctx, cid)
			if err != nil || len(list) != 1 || !equalWebhook(list[0], in) || !slices.Equal(list[0].Categories, allCategories) {
				t.Fatalf("CampaignWebhooks = %+v, %v; want [%+v]", list, err, in)
			}

			in.EventTypes = event.Types
			if got, err := c.SaveCampaignWebhook(ctx, in); err != nil || got.ID != in.ID {
				t.Fatalf("update = %+v, %v; want the same webhook %s", got, err, in.ID)
			}
			if got := s.Webhooks(); len(got) != 1 || !slices.Equal(got[0].EventTypes, event.Types) {
				t.Fatalf("after update the fake holds %+v", got)
			}
			// SmartLead disables it behind our back; saving repairs it.
			s.DisableWebhook(in.ID)
			if _, err := c.SaveCampaignWebhook(ctx, in); err != nil || !s.Webhooks()[0].Enabled {
				t.Fatalf("saving a disabled webhook: %v, enabled %v", err, s.Webhooks()[0].Enabled)
			}

			if err := c.DeleteCampaignWebhook(ctx, in); err != nil {
				t.Fatalf("DeleteCampaignWebhook: %v", err)
			}
			if len(s.Webhooks()) != 0 {
				t.Fatalf("fake still holds %v", s.Webhooks())
			}
			if err := c.DeleteCampaignWebhook(ctx, in); !errors.Is(err, smartlead.ErrNotFound) {
				t.Errorf("second delete = %v, want ErrNotFound", err)
			}
			for _, call := range s.Calls() {
				if strings.HasPrefix(call.Path, "/api/v1/webhook") {
					t.Errorf("called the global API: %s %s", call.Method, call.Path)
				}
			}
		})
	}
}

// TestCampaignWebhookRefusals checks that what SmartLead refuses comes back
// as an error with SmartLead's words, and nothing is saved.
func TestCampaignWebhookRefusals(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true})
	c := newHarness(s.URL(), s.APIKey(), 0).c
	cid := s.Campaigns()[0].ID
	ok := smartlead.Webhook{CampaignID: cid, Name: "Leadbell", URL: "https://leadbell.example/h",
		EventTypes: []event.Type{event.Replied}, Categories: []string{"Interested"}}
	tests := []struct {
		name   string
		change func(w *smartlead.Webhook)
		want   string
	}{
		{"no categories", func(w *smartlead.Webhook) { w.Categories = nil }, `"categories" must contain at least 1 items`},
		{"a category the account lacks", func(w *smartlead.Webhook) { w.Categories = []string{"Hot"} }, "categor"},
		{"an event type SmartLead does not know", func(w *smartlead.Webhook) { w.EventTypes = []event.Type{"EMAIL_TELEPATHY"} }, "event_types"},
		{"a campaign that does not exist", func(w *smartlead.Webhook) { w.CampaignID = "999999999" }, "Campaign not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := ok
			tt.change(&w)
			_, err := c.SaveCampaignWebhook(context.Background(), w)
			var apiErr *smartlead.APIError
			if !errors.As(err, &apiErr) || !strings.Contains(apiErr.Message, tt.want) {
				t.Fatalf("error %v, want SmartLead's %q", err, tt.want)
			}
			if len(s.Webhooks()) != 0 {
				t.Errorf("saved anyway: %v", s.Webhooks())
			}
		})
	}
}

// TestGlobalWebhook uses the global API on an account that has it, at user
// and client level, and finds it missing (ErrUnsupported, not ErrNotFound)
// on one that does not, whether the missing route answers HTML or JSON.
func TestGlobalWebhook(t *testing.T) {
	ctx := context.Background()
	s := newFake(t, simulator.Options{Family: simulator.FamilyBoth, NoTestEvents: true})
	c := newHarness(s.URL(), s.APIKey(), 0).c
	client := s.AddClient("Acme Agency")
	for _, in := range []smartlead.Webhook{
		{Name: "Leadbell", URL: "https://leadbell.example/hooks/u", EventTypes: event.Types, Categories: allCategories},
		{ClientID: client, Name: "Leadbell", URL: "https://leadbell.example/hooks/c", EventTypes: event.Types, Categories: allCategories},
	} {
		t.Run(string(in.Level()), func(t *testing.T) {
			w, err := c.CreateWebhook(ctx, in)
			if err != nil || w.ID == "" {
				t.Fatalf("CreateWebhook = %+v, %v", w, err)
			}
			in.ID, in.Enabled = w.ID, true
			got, err := c.GetWebhook(ctx, w.ID)
			if err != nil || !equalWebhook(got, in) {
				t.Fatalf("GetWebhook = %+v, %v; want %+v", got, err, in)
			}
			in.EventTypes = []event.Type{event.Replied}
			if _, err := c.UpdateWebhook(ctx, in); err != nil {
				t.Fatalf("UpdateWebhook: %v", err)
			}
			if got, _ := c.GetWebhook(ctx, w.ID); !slices.Equal(got.EventTypes, in.EventTypes) {
				t.Fatalf("after update %+v", got)
			}
			if err := c.DeleteWebhook(ctx, w.ID); err != nil {
				t.Fatalf("DeleteWebhook: %v", err)
			}
			if _, err := c.GetWebhook(ctx, w.ID); !errors.Is(err, smartlead.ErrNotFound) || errors.Is(err, smartlead.ErrUnsupported) {
				t.Errorf("GetWebhook after delete = %v, want ErrNotFound", err)
			}
		})
	}
	for _, json := range []bool{false, true} {
		s := newFake(t, simulator.Options{Family: simulator.FamilyLive, MissingRouteJSON: json})
		c := newHarness(s.URL(), s.APIKey(), 0).c
		_, err := c.CreateWebhook(ctx, smartlead.Webhook{Name: "Leadbell", URL: "https://leadbell.example/h", EventTypes: event.Types})
		if !errors.Is(err, smartlead.ErrUnsupported) || errors.Is(err, smartlead.ErrNotFound) {
			t.Errorf("CreateWebhook on a per-campaign-only account (JSON 404: %v) = %v, want ErrUnsupported", json, err)
		}
		if len(s.Webhooks()) != 0 {
			t.Error("a webhook was created anyway")
		}
	}
}

func TestCategories(t *testing.T) {
	s := newFake(t, simulator.Options{})
	c := newHarness(s.URL(), s.APIKey(), 0).c
	got, err := c.Categories(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, cat := range got {
		names = append(names, cat.Name)
		if cat.ID == "" || cat.Sentiment == "" {
			t.Errorf("category %+v lacks its id or sentiment", cat)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, allCategories) {
		t.Errorf("categories %v, want %v", names, allCategories)
	}
	s.FailCategories(http.StatusInternalServerError)
	if _, err := newHarness(s.URL(), s.APIKey(), -1).c.Categories(context.Background()); err == nil {
		t.Error("a failing fetch-categories gave no error")
	}
}

// TestNestedRateLimitIsHonoured: SmartLead's 429 carries retry_after in a
// nested error object; the client waits that long and says why.
func TestNestedRateLimitIsHonoured(t *testing.T) {
	s := newFake(t, simulator.Options{})
	s.FailNext(1, http.StatusTooManyRequests)
	h := newHarness(s.URL(), s.APIKey(), 0)
	if err := h.c.ValidateKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := h.sleeps.got(); len(got) != 1 || got[0].Seconds() != 1 {
		t.Errorf("waited %v, want the 1 s SmartLead asked for", got)
	}
	s.FailNext(100, http.StatusTooManyRequests)
	err := newHarness(s.URL(), s.APIKey(), 1).c.ValidateKey(context.Background())
	var apiErr *smartlead.APIError
	if !errors.Is(err, smartlead.ErrRateLimited) || !errors.As(err, &apiErr) || apiErr.Message == "" || strings.HasPrefix(apiErr.Message, "{") {
		t.Errorf("error %v, want ErrRateLimited with SmartLead's message", err)
	}
}
