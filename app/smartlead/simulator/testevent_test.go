package simulator_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/internal/testkit"
)

// Each save, on either API, sends the saved webhook one test event that
// carries the dashboard's literal secret_key.
func TestTestEventOnEachSave(t *testing.T) {
	s := newFake(t, simulator.Options{Family: simulator.FamilyBoth, Secret: "the-users-secret"})
	rcv := newReceiver(t, always(http.StatusOK))
	cid := s.Campaigns()[0].ID
	saves := []struct {
		name string
		save func() string // returns the webhook id
	}{
		{"per-campaign create", func() string { return saveCampaignHook(t, s, cid, "", rcv.URL+"/a", nil) }},
		{"per-campaign update", func() string { return saveCampaignHook(t, s, cid, s.Webhooks()[0].ID, rcv.URL+"/a", nil) }},
		{"global create", func() string { return createGlobalHook(t, s, "user", rcv.URL+"/b", nil) }},
		{"global update", func() string {
			id := s.Webhooks()[1].ID
			mustCall(t, s, "PUT", "/webhook/update/"+id, jsonOf(t, map[string]any{"name": "b", "webhook_url": rcv.URL + "/b",
				"event_types": []string{"EMAIL_OPEN"}, "categories": []string{"Interested"}}), nil)
			return id
		}},
	}
	for i, sv := range saves {
		id := sv.save()
		a := rcv.next(t)
		var m map[string]any
		if err := json.Unmarshal(a.body, &m); err != nil {
			t.Fatalf("%s: test event %s: %v", sv.name, a.body, err)
		}
		wantType := "EMAIL_REPLY"
		if i == 3 {
			wantType = "EMAIL_OPEN" // the webhook no longer takes replies
		}
		if m["secret_key"] != "secretkey" || m["event_type"] != wantType || jsonOf(t, m["webhook_id"]) != id ||
			m["webhook_url"] != rcv.URL+a.path || m["to_email"] != "test@smartlead.ai" || m["description"] == "" {
			t.Errorf("%s: test event %s", sv.name, a.body)
		}
		if a.header.Get(smartlead.SignatureHeader) != "" {
			t.Errorf("%s: the test event is signed", sv.name)
		}
	}
	testkit.WaitFor(t, "the test events to be recorded", func() bool { return len(s.Deliveries()) == len(saves) })
	s.Close() // waits for background sends: no more can come
	if n := rcv.count(); n != len(saves) {
		t.Errorf("receiver got %d test events, want one per save (%d)", n, len(saves))
	}
	tests := 0
	for _, d := range s.Deliveries() {
		if d.Test && d.OK() && d.Shape == simulator.ShapeLive {
			tests++
		}
	}
	if tests != len(saves) {
		t.Errorf("%d test deliveries recorded, want %d", tests, len(saves))
	}
}

// A test event that fails is not retried and does not count against the
// webhook.
func TestFailedTestEventIsLeftAlone(t *testing.T) {
	s := newFake(t, simulator.Options{DisableAfter: 1})
	rcv := newReceiver(t, always(http.StatusInternalServerError))
	saveCampaignHook(t, s, s.Campaigns()[0].ID, "", rcv.URL, nil)
	rcv.next(t)
	testkit.WaitFor(t, "the test event to be recorded", func() bool { return len(s.Deliveries()) == 1 })
	s.Close()
	if n := rcv.count(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
	if w := s.Webhooks(); !w[0].Enabled {
		t.Error("a failed test event disabled the webhook")
	}
	if ds := s.Deliveries(); len(ds) != 1 || !ds[0].Test || ds[0].Status != 500 {
		t.Errorf("deliveries %+v, want the one failed test event", ds)
	}
}

func TestNoTestEvents(t *testing.T) {
	s := newFake(t, simulator.Options{Family: simulator.FamilyBoth, NoTestEvents: true})
	rcv := newReceiver(t, always(http.StatusOK))
	saveCampaignHook(t, s, s.Campaigns()[0].ID, "", rcv.URL, nil)
	createGlobalHook(t, s, "user", rcv.URL, nil)
	s.Close()
	if n := rcv.count(); n != 0 || len(s.Deliveries()) != 0 {
		t.Errorf("%d test events sent with NoTestEvents", n)
	}
}

func TestTestEventBody(t *testing.T) {
	tests := []struct {
		name  string
		types []event.Type
		want  string
	}{
		{"reply preferred", []event.Type{event.Sent, event.Replied}, "EMAIL_REPLY"},
		{"else the first", []event.Type{event.Clicked, event.CategoryUpdated}, "EMAIL_LINK_CLICK"},
		{"category updates", []event.Type{event.CategoryUpdated}, "LEAD_CATEGORY_UPDATED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := smartlead.Webhook{ID: "4711", CampaignID: "1400123", Name: "Leadbell", URL: "https://example.test/hooks/x", EventTypes: tt.types}
			var m map[string]any
			if err := json.Unmarshal(simulator.TestEventBody(w), &m); err != nil {
				t.Fatal(err)
			}
			if m["event_type"] != tt.want || m["secret_key"] != "secretkey" || m["webhook_id"] != float64(4711) ||
				m["webhook_name"] != "Leadbell" || m["webhook_url"] != w.URL || m["campaign_id"] != float64(1400123) ||
				m["sl_lead_email"] != "test@smartlead.ai" || m["description"] != "This is a test webhook event" {
				t.Errorf("test event %v", m)
			}
		})
	}
}
