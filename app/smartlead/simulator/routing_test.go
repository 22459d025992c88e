package simulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// A user-level webhook takes priority over client- and campaign-level
// ones, per event type; a client-level one over the campaign's own.
func TestDeliveryPriority(t *testing.T) {
	type setup struct {
		s       *simulator.Server
		cid     string
		client  string
		rcvURL  string
		labelOf map[string]string // webhook id -> label
	}
	hooks := map[string]func(t *testing.T, u setup) string{
		"campaign": func(t *testing.T, u setup) string {
			return saveCampaignHook(t, u.s, u.cid, "", u.rcvURL+"/campaign", nil)
		},
		"client": func(t *testing.T, u setup) string {
			return createGlobalHook(t, u.s, "client", u.rcvURL+"/client", map[string]any{"client_id": json.Number(u.client)})
		},
		"other client": func(t *testing.T, u setup) string {
			other := u.s.AddClient("Other Agency")
			return createGlobalHook(t, u.s, "client", u.rcvURL+"/other", map[string]any{"client_id": json.Number(other)})
		},
		"user": func(t *testing.T, u setup) string {
			return createGlobalHook(t, u.s, "user", u.rcvURL+"/user", nil)
		},
		"user, opens only": func(t *testing.T, u setup) string {
			return createGlobalHook(t, u.s, "user", u.rcvURL+"/opens", map[string]any{"event_type_map": map[string]bool{"EMAIL_OPEN": true}})
		},
		"user, disabled": func(t *testing.T, u setup) string {
			id := createGlobalHook(t, u.s, "user", u.rcvURL+"/disabled", nil)
			u.s.DisableWebhook(id)
			return id
		},
		"another tool's user webhook": func(t *testing.T, u setup) string {
			return u.s.AddWebhook(smartlead.Webhook{Name: "Zapier", URL: u.rcvURL + "/zapier"}).ID
		},
	}
	tests := []struct {
		name  string
		hooks []string
		want  []string // labels that get a reply, sorted
	}{
		{"campaign only", []string{"campaign"}, []string{"campaign"}},
		{"client over campaign", []string{"campaign", "client"}, []string{"client"}},
		{"another client's does not count", []string{"campaign", "other client"}, []string{"campaign"}},
		{"user over all", []string{"campaign", "client", "user"}, []string{"user"}},
		{"priority is per event type", []string{"campaign", "user, opens only"}, []string{"campaign"}},
		{"a disabled user webhook does not count", []string{"campaign", "user, disabled"}, []string{"campaign"}},
		{"another tool's user webhook takes it all", []string{"campaign", "another tool's user webhook"}, []string{"another tool's user webhook"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFake(t, simulator.Options{Family: simulator.FamilyBoth, NoTestEvents: true})
			rcv := newReceiver(t, always(http.StatusOK))
			u := setup{s: s, cid: s.Campaigns()[0].ID, client: s.AddClient("Acme Agency"), rcvURL: rcv.URL, labelOf: map[string]string{}}
			s.SetCampaignClient(u.cid, u.client)
			for _, label := range tt.hooks {
				u.labelOf[hooks[label](t, u)] = label
			}
			ev := s.Generator().EventFor(event.Replied, leadOf(t, s, u.cid))
			ds, err := s.Emit(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range ds {
				got = append(got, u.labelOf[d.WebhookID])
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("delivered to %v, want %v", got, tt.want)
			}
		})
	}
}

// Only the campaign's own webhooks that take the event's type get it.
func TestEmitMatchesCampaignAndTypes(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true})
	rcv := newReceiver(t, always(http.StatusOK))
	camps := s.Campaigns()
	ev := s.Generator().EventFor(event.Replied, leadOf(t, s, camps[0].ID))
	same := saveCampaignHook(t, s, camps[0].ID, "", rcv.URL+"/same", nil)
	saveCampaignHook(t, s, camps[1].ID, "", rcv.URL+"/other", nil)
	saveCampaignHook(t, s, camps[0].ID, "", rcv.URL+"/opens", []string{"EMAIL_OPEN"})
	ds, err := s.Emit(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].WebhookID != same {
		t.Errorf("deliveries %+v, want one to the same campaign's reply webhook %s", ds, same)
	}
}
