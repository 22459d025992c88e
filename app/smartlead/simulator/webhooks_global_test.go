package simulator_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
)

func TestGlobalCreate(t *testing.T) {
	s := newFake(t, simulator.Options{Family: simulator.FamilyBoth, NoTestEvents: true})
	cid := s.Campaigns()[0].ID
	archived := s.Campaigns()[1].ID
	s.SetCampaignStatus(archived, "ARCHIVED")
	client := s.AddClient("Acme Agency")
	body := func(change map[string]any) string {
		return changed(t, map[string]any{"name": "Leadbell", "webhook_url": "https://example.test/hooks/abc",
			"association_type": "user", "event_type_map": map[string]any{"EMAIL_REPLY": true, "EMAIL_OPEN": true}}, change)
	}
	tests := []struct {
		name   string
		body   string
		status int
		want   string // the whole answer; "" to check an ok answer
	}{
		{"user level", body(nil), 200, ""},
		{"with categories", body(map[string]any{"categories": []string{"Interested"}}), 200, ""},
		{"client level", body(map[string]any{"association_type": "client", "client_id": json.Number(client)}), 200, ""},
		{"campaign level", body(map[string]any{"association_type": "campaign", "email_campaign_id": json.Number(cid)}), 200, ""},
		{"archived campaign", body(map[string]any{"association_type": "campaign", "email_campaign_id": json.Number(archived)}), 200, ""},
		{"integer association_type", body(map[string]any{"association_type": 1}), 400,
			message(`"association_type" must be one of [user, client, campaign]`)},
		{"integer campaign level", body(map[string]any{"association_type": 3, "email_campaign_id": json.Number(cid)}), 400,
			message(`"association_type" must be one of [user, client, campaign]`)},
		{"no association_type", body(map[string]any{"association_type": "-"}), 400, message(`"association_type" is required`)},
		{"spec-named key", body(map[string]any{"event_type_map": map[string]any{"EMAIL_REPLIED": true}}), 400,
			message(`"event_type_map.EMAIL_REPLIED" is not allowed`)},
		{"value not a boolean", body(map[string]any{"event_type_map": map[string]any{"EMAIL_REPLY": "yes"}}), 400,
			message(`"event_type_map.EMAIL_REPLY" must be a boolean`)},
		{"nothing enabled", body(map[string]any{"event_type_map": map[string]any{"EMAIL_REPLY": false}}), 400,
			message(`"event_type_map" must have at least 1 key`)},
		{"client level without client_id", body(map[string]any{"association_type": "client"}), 400, message(`"client_id" is required`)},
		{"unknown client", body(map[string]any{"association_type": "client", "client_id": 1}), 404, message("Client not found")},
		{"campaign level without campaign", body(map[string]any{"association_type": "campaign"}), 400, message(`"email_campaign_id" is required`)},
		{"unknown campaign", body(map[string]any{"association_type": "campaign", "email_campaign_id": 1}), 404, message("Campaign not found")},
		{"empty categories", body(map[string]any{"categories": []string{}}), 400, message(`"categories" must contain at least 1 items`)},
		{"unknown category", body(map[string]any{"categories": []string{"Hot"}}), 400,
			message(`"categories[0]" must be one of [` + defaultCategoryList + `]`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := call(t, s, "POST", "/webhook/create", tt.body)
			if tt.want != "" {
				if status != tt.status || got != tt.want {
					t.Errorf("create = %d %s; want %d %s", status, got, tt.status, tt.want)
				}
				return
			}
			var ans map[string]any
			if err := json.Unmarshal([]byte(got), &ans); status != 200 || err != nil {
				t.Fatalf("create = %d %s; want 200", status, got)
			}
			if keys := keysOf(ans); !slices.Equal(keys, []string{"id", "ok", "webhook_url"}) || ans["ok"] != true ||
				ans["webhook_url"] != "https://example.test/hooks/abc" {
				t.Errorf("answer %s, want {ok: true, id, webhook_url}", got)
			}
			if _, isNumber := ans["id"].(float64); !isNumber {
				t.Errorf("id %v, want a number", ans["id"])
			}
		})
	}
}

func TestGlobalGet(t *testing.T) {
	s := newFake(t, simulator.Options{Family: simulator.FamilyBoth, NoTestEvents: true})
	cid := s.Campaigns()[0].ID
	client := s.AddClient("Acme Agency")
	tests := []struct {
		assoc, campaign, client string
		extra                   map[string]any
	}{
		{"user", "", "", nil},
		{"client", "", client, map[string]any{"client_id": json.Number(client)}},
		{"campaign", cid, "", map[string]any{"email_campaign_id": json.Number(cid)}},
	}
	for _, tt := range tests {
		t.Run(tt.assoc, func(t *testing.T) {
			id := createGlobalHook(t, s, tt.assoc, "https://example.test/hooks/"+tt.assoc, tt.extra)
			var got map[string]any
			mustCall(t, s, "GET", "/webhook/"+id, "", &got)
			want := []string{"association_type", "categories", "client_id", "created_at", "email_campaign_id",
				"event_type_map", "id", "name", "updated_at", "webhook_url"}
			if keys := keysOf(got); !slices.Equal(keys, want) {
				t.Fatalf("keys %v, want %v (no is_active)", keys, want)
			}
			if got["association_type"] != tt.assoc || jsonOf(t, got["id"]) != id {
				t.Errorf("association_type %v id %v, want %s %s", got["association_type"], got["id"], tt.assoc, id)
			}
			if jsonOf(t, got["email_campaign_id"]) != orNull(tt.campaign) || jsonOf(t, got["client_id"]) != orNull(tt.client) {
				t.Errorf("email_campaign_id %v client_id %v", got["email_campaign_id"], got["client_id"])
			}
			if m := got["event_type_map"].(map[string]any); len(m) != len(allLiveTypes) || m["EMAIL_REPLY"] != true {
				t.Errorf("event_type_map %v, want live names", m)
			}
		})
	}
	if status, got := call(t, s, "GET", "/webhook/999999", ""); status != 404 || got != message("Webhook not found") {
		t.Errorf("unknown id = %d %s", status, got)
	}
}

// orNull is the JSON of a numeric id, or null.
func orNull(id string) string {
	if id == "" {
		return "null"
	}
	return id
}

func TestGlobalUpdateAndDelete(t *testing.T) {
	s := newFake(t, simulator.Options{Family: simulator.FamilyBoth, NoTestEvents: true})
	id := createGlobalHook(t, s, "user", "https://example.test/hooks/abc", nil)
	s.DisableWebhook(id)
	update := func(types, cats any) string {
		return jsonOf(t, map[string]any{"name": "Leadbell 2", "webhook_url": "https://example.test/hooks/new",
			"event_types": types, "categories": cats})
	}
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"spec names", "PUT", "/webhook/update/" + id, update([]string{"EMAIL_REPLIED"}, []string{"Interested"}), 400,
			message(`"event_types[0]" must be one of [` + liveNameList + `]`)},
		{"empty categories", "PUT", "/webhook/update/" + id, update([]string{"EMAIL_REPLY"}, []string{}), 400,
			message(`"categories" must contain at least 1 items`)},
		{"unknown id", "PUT", "/webhook/update/999999", update([]string{"EMAIL_REPLY"}, []string{"Interested"}), 404,
			message("Webhook not found")},
		{"update", "PUT", "/webhook/update/" + id, update([]string{"EMAIL_REPLY"}, []string{"Interested"}), 200,
			`{"ok":true,"id":` + id + `,"webhook_url":"https://example.test/hooks/new"}` + "\n"},
		{"delete without id", "DELETE", "/webhook/delete", `{}`, 400, message(`"id" is required`)},
		{"delete", "DELETE", "/webhook/delete", `{"id":` + id + `}`, 200, `{"ok":true}` + "\n"},
		{"delete again", "DELETE", "/webhook/delete", `{"id":` + id + `}`, 404, message("Webhook not found")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := call(t, s, tt.method, tt.path, tt.body)
			if status != tt.status || got != tt.want {
				t.Errorf("%s %s = %d %s; want %d %s", tt.method, tt.path, status, got, tt.status, tt.want)
			}
			if tt.name == "update" {
				w := s.Webhooks()
				if len(w) != 1 || !w[0].Enabled || w[0].Name != "Leadbell 2" || w[0].CampaignID != "" ||
					!slices.Equal(w[0].Categories, []string{"Interested"}) {
					t.Errorf("after the update: %+v, want it saved, enabled, still user level", w)
				}
			}
		})
	}
}
