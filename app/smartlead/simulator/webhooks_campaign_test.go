package simulator_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
)

const liveNameList = "EMAIL_SENT, EMAIL_OPEN, EMAIL_LINK_CLICK, EMAIL_REPLY, EMAIL_BOUNCE, LEAD_UNSUBSCRIBED, " +
	"LEAD_CATEGORY_UPDATED, CAMPAIGN_STATUS_CHANGED, UNTRACKED_REPLIES, MANUAL_STEP_REACHED"

const defaultCategoryList = "Interested, Meeting Request, Not Interested, Do Not Contact, Information Request, Out Of Office, Wrong Person"

func TestCampaignUpsertRefusals(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true})
	camps := s.Campaigns()
	cid, other := camps[0].ID, camps[1].ID
	otherHook := saveCampaignHook(t, s, other, "", "https://example.test/hooks/other", nil)
	body := func(change map[string]any) string {
		return changed(t, map[string]any{"id": nil, "name": "Leadbell", "webhook_url": "https://example.test/hooks/abc",
			"event_types": []string{"EMAIL_REPLY"}, "categories": []string{"Interested"}}, change)
	}
	tests := []struct {
		name   string
		cid    string
		body   string
		status int
		want   string
	}{
		{"categories missing", cid, body(map[string]any{"categories": "-"}), 400, message(`"categories" must contain at least 1 items`)},
		{"categories empty", cid, body(map[string]any{"categories": []string{}}), 400, message(`"categories" must contain at least 1 items`)},
		{"unknown category", cid, body(map[string]any{"categories": []string{"Interested", "Hot"}}), 400,
			message(`"categories[1]" must be one of [` + defaultCategoryList + `]`)},
		{"category as an id", cid, body(map[string]any{"categories": []int{1}}), 400, message(`"categories[0]" must be a string`)},
		{"event_types empty", cid, body(map[string]any{"event_types": []string{}}), 400, message(`"event_types" must contain at least 1 items`)},
		{"event_types missing", cid, body(map[string]any{"event_types": "-"}), 400, message(`"event_types" is required`)},
		{"spec name EMAIL_REPLIED", cid, body(map[string]any{"event_types": []string{"EMAIL_REPLIED"}}), 400,
			message(`"event_types[0]" must be one of [` + liveNameList + `]`)},
		{"spec name EMAIL_OPENED", cid, body(map[string]any{"event_types": []string{"EMAIL_SENT", "EMAIL_OPENED"}}), 400,
			message(`"event_types[1]" must be one of [` + liveNameList + `]`)},
		{"no name", cid, body(map[string]any{"name": "-"}), 400, message(`"name" is required`)},
		{"bad URL", cid, body(map[string]any{"webhook_url": "ftp://example.test"}), 400, message(`"webhook_url" must be a valid uri`)},
		{"id not a number", cid, body(map[string]any{"id": "abc"}), 400, message(`"id" must be a number`)},
		{"not JSON", cid, "id=1", 400, message("Unexpected token in JSON at position 0")},
		{"unknown id", cid, body(map[string]any{"id": 1}), 404, message("Webhook not found")},
		{"id of another campaign", cid, body(map[string]any{"id": json.Number(otherHook)}), 404, message("Webhook not found")},
		{"unknown campaign", "999", body(nil), 404, message("Campaign not found")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := call(t, s, "POST", "/campaigns/"+tt.cid+"/webhooks", tt.body)
			if status != tt.status || got != tt.want {
				t.Errorf("upsert = %d %s; want %d %s", status, got, tt.status, tt.want)
			}
		})
	}
	if n := len(s.Webhooks()); n != 1 {
		t.Errorf("%d webhooks after refused saves, want 1", n)
	}
}

// The upsert answers the webhook as saved, with maps of event types and
// category ids; the list shows live names and category names and no
// is_active.
func TestCampaignUpsertAndList(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true})
	cid := s.Campaigns()[0].ID
	var saved map[string]any
	mustCall(t, s, "POST", "/campaigns/"+cid+"/webhooks", jsonOf(t, map[string]any{"id": nil, "name": "Leadbell",
		"webhook_url": "https://example.test/hooks/abc", "event_types": []string{"EMAIL_REPLY", "LEAD_CATEGORY_UPDATED"},
		"categories": []string{"Interested", "Out Of Office"}}), &saved)
	wantKeys := []string{"category_id_map", "created_at", "email_campaign_id", "event_type_map", "id", "name", "updated_at", "webhook_url"}
	if got := keysOf(saved); !slices.Equal(got, wantKeys) {
		t.Fatalf("upsert answer keys %v, want %v", got, wantKeys)
	}
	if saved["email_campaign_id"] != float64(mustAtoi(t, cid)) || saved["name"] != "Leadbell" {
		t.Errorf("answer %v", saved)
	}
	if got := jsonOf(t, saved["event_type_map"]); got != `{"EMAIL_REPLY":true,"LEAD_CATEGORY_UPDATED":true}` {
		t.Errorf("event_type_map %s", got)
	}
	if got := jsonOf(t, saved["category_id_map"]); got != `{"1":true,"6":true}` {
		t.Errorf("category_id_map %s", got)
	}
	id := jsonOf(t, saved["id"])

	// Saving with the id updates the same webhook.
	saveCampaignHook(t, s, cid, id, "https://example.test/hooks/new", []string{"EMAIL_OPEN"})
	var list []map[string]any
	mustCall(t, s, "GET", "/campaigns/"+cid+"/webhooks", "", &list)
	if len(list) != 1 {
		t.Fatalf("list %v, want one webhook", list)
	}
	wantKeys = []string{"categories", "created_at", "email_campaign_id", "event_types", "id", "name", "updated_at", "webhook_url"}
	if got := keysOf(list[0]); !slices.Equal(got, wantKeys) {
		t.Errorf("list item keys %v, want %v (no is_active)", got, wantKeys)
	}
	if jsonOf(t, list[0]["id"]) != id || list[0]["webhook_url"] != "https://example.test/hooks/new" ||
		jsonOf(t, list[0]["event_types"]) != `["EMAIL_OPEN"]` ||
		jsonOf(t, list[0]["categories"]) != jsonOf(t, allCategories(s)) {
		t.Errorf("list item %v", list[0])
	}
	// Another campaign's list does not show it.
	if _, body := call(t, s, "GET", "/campaigns/"+s.Campaigns()[1].ID+"/webhooks", ""); body != "[]\n" {
		t.Errorf("other campaign's list %s, want []", body)
	}
}

// A webhook SmartLead disabled looks the same in the list; saving it
// enables it again.
func TestSavingReEnables(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true})
	cid := s.Campaigns()[0].ID
	id := saveCampaignHook(t, s, cid, "", "https://example.test/hooks/abc", nil)
	_, before := call(t, s, "GET", "/campaigns/"+cid+"/webhooks", "")
	s.DisableWebhook(id)
	_, after := call(t, s, "GET", "/campaigns/"+cid+"/webhooks", "")
	if before != after || strings.Contains(after, "active") {
		t.Errorf("the list shows the disabling: %s / %s", before, after)
	}
	saveCampaignHook(t, s, cid, id, "https://example.test/hooks/abc", nil)
	if w := s.Webhooks(); len(w) != 1 || !w[0].Enabled {
		t.Errorf("after a save: %+v, want the webhook enabled", w)
	}
}

func TestCampaignDelete(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true})
	cid := s.Campaigns()[0].ID
	id := saveCampaignHook(t, s, cid, "", "https://example.test/hooks/abc", nil)
	tests := []struct {
		name, cid, body string
		status          int
		want            string
	}{
		{"no id", cid, `{}`, 400, message(`"id" is required`)},
		{"wrong campaign", s.Campaigns()[1].ID, `{"id":` + id + `}`, 404, message("Webhook not found")},
		{"delete", cid, `{"id":` + id + `}`, 200, `{"ok":true}` + "\n"},
		{"again", cid, `{"id":` + id + `}`, 404, message("Webhook not found")},
		{"unknown campaign", "999", `{"id":` + id + `}`, 404, message("Campaign not found")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := call(t, s, "DELETE", "/campaigns/"+tt.cid+"/webhooks", tt.body)
			if status != tt.status || got != tt.want {
				t.Errorf("delete = %d %s; want %d %s", status, got, tt.status, tt.want)
			}
		})
	}
}

func TestRetriggerAndSummaryAnswers(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true})
	cid := s.Campaigns()[0].ID
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"retrigger", "POST", "/campaigns/" + cid + "/webhooks/retrigger-failed-events",
			`{"fromTime":"2024-01-01T00:00:00.000Z","toTime":"2024-01-02T00:00:00.000Z"}`, 200, `"retrigger_id":`},
		{"retrigger, bad window", "POST", "/campaigns/" + cid + "/webhooks/retrigger-failed-events", `{"fromTime":"yesterday"}`, 400, "fromTime"},
		{"summary", "GET", "/campaigns/" + cid + "/webhooks/summary?fromTime=2024-01-01T00:00:00.000Z&toTime=2024-01-02T00:00:00.000Z", "", 200, `"total_events":0`},
		{"summary, no window", "GET", "/campaigns/" + cid + "/webhooks/summary", "", 400, "fromTime"},
		{"summary, unknown campaign", "GET", "/campaigns/999/webhooks/summary", "", 404, "Campaign not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := call(t, s, tt.method, tt.path, tt.body)
			if status != tt.status || !strings.Contains(got, tt.want) {
				t.Errorf("%s = %d %s; want %d with %s", tt.path, status, got, tt.status, tt.want)
			}
		})
	}
}
