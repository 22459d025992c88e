package simulator_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// A campaign made during a run shows in the list at once, takes webhooks
// and has events.
func TestAddCampaign(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true, Seed: 3})
	before := len(s.Campaigns())
	c := s.AddCampaign("Launch week — US", "ACTIVE")
	var list []map[string]any
	mustCall(t, s, "GET", "/campaigns", "", &list)
	if len(list) != before+1 {
		t.Fatalf("%d campaigns listed, want %d", len(list), before+1)
	}
	last := list[len(list)-1]
	if jsonOf(t, last["id"]) != c.ID || last["name"] != c.Name || last["status"] != "ACTIVE" || last["client_id"] != nil {
		t.Errorf("listed %v, want the new campaign %+v", last, c)
	}
	rcv := newReceiver(t, always(http.StatusOK))
	id := saveCampaignHook(t, s, c.ID, "", rcv.URL, nil)
	ds, err := s.Emit(context.Background(), s.Generator().EventFor(event.Replied, leadOf(t, s, c.ID)))
	if err != nil || len(ds) != 1 || ds[0].WebhookID != id || !ds[0].OK() {
		t.Fatalf("Emit = %+v, %v; want one delivery to the new campaign's webhook", ds, err)
	}
	// The generator's own picks come to it too.
	for range 400 {
		if s.Generator().Event(event.Sent).Campaign.ID == c.ID {
			return
		}
	}
	t.Error("400 generated events and none in the new campaign")
}

func TestCampaignStatusAndRemoval(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true})
	camps := s.Campaigns()
	archived, removed := camps[0].ID, camps[1].ID
	s.SetCampaignStatus(archived, "ARCHIVED")
	saveCampaignHook(t, s, archived, "", "https://example.test/hooks/a", nil) // still accepted
	saveCampaignHook(t, s, removed, "", "https://example.test/hooks/r", nil)
	s.RemoveCampaign(removed)
	var list []struct {
		ID     any    `json:"id"`
		Status string `json:"status"`
	}
	mustCall(t, s, "GET", "/campaigns", "", &list)
	if len(list) != len(camps)-1 || jsonOf(t, list[0].ID) != archived || list[0].Status != "ARCHIVED" {
		t.Errorf("list %+v, want the archived one first and the removed one gone", list)
	}
	if w := s.Webhooks(); len(w) != 1 || w[0].CampaignID != archived {
		t.Errorf("webhooks %+v, want only the archived campaign's", w)
	}
	for _, l := range s.Generator().Leads() {
		if l.CampaignID == removed {
			t.Fatal("the removed campaign still has leads")
		}
	}
	tests := []struct{ method, path, body string }{
		{"GET", "/campaigns/" + removed + "/webhooks", ""},
		{"POST", "/campaigns/" + removed + "/webhooks", jsonOf(t, map[string]any{"id": nil, "name": "x",
			"webhook_url": "https://example.test/h", "event_types": []string{"EMAIL_REPLY"}, "categories": []string{"Interested"}})},
		{"DELETE", "/campaigns/" + removed + "/webhooks", `{"id":1}`},
		{"POST", "/campaigns/" + removed + "/webhooks/retrigger-failed-events", `{}`},
	}
	for _, tt := range tests {
		if status, got := call(t, s, tt.method, tt.path, tt.body); status != 404 || got != message("Campaign not found") {
			t.Errorf("%s %s = %d %s; want 404 Campaign not found", tt.method, tt.path, status, got)
		}
	}
}

// Another tool's webhooks are the account's too: listed, and given every
// category when planted without any.
func TestAddWebhook(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true})
	cid := s.Campaigns()[0].ID
	ours := saveCampaignHook(t, s, cid, "", "https://example.test/hooks/ours", nil)
	theirs := s.AddWebhook(smartlead.Webhook{CampaignID: cid, Name: "HubSpot sync", URL: "https://hooks.example.test/hubspot",
		EventTypes: []event.Type{event.Replied}})
	user := s.AddWebhook(smartlead.Webhook{Name: "Zapier", URL: "https://hooks.example.test/zapier"})
	if theirs.ID == "" || theirs.ID == ours || !theirs.Enabled || !slices.Equal(theirs.Categories, allCategories(s)) {
		t.Errorf("planted %+v", theirs)
	}
	if len(user.EventTypes) != len(event.Types) || user.CampaignID != "" {
		t.Errorf("planted user-level %+v", user)
	}
	if n := len(s.Webhooks()); n != 3 {
		t.Errorf("%d webhooks, want 3", n)
	}
	var list []struct {
		Name       string   `json:"name"`
		EventTypes []string `json:"event_types"`
	}
	mustCall(t, s, "GET", "/campaigns/"+cid+"/webhooks", "", &list)
	if len(list) != 2 || list[1].Name != "HubSpot sync" || !slices.Equal(list[1].EventTypes, []string{"EMAIL_REPLY"}) {
		t.Errorf("campaign list %+v, want ours and the other tool's", list)
	}
}
