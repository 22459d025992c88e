package simulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

func TestFetchCategories(t *testing.T) {
	own := []simulator.Category{{ID: 11, Name: "Hot", Sentiment: "positive"}, {ID: 12, Name: "Cold", Sentiment: "negative"}}
	defaults := `[{"id":1,"name":"Interested","sentiment_type":"positive"},{"id":2,"name":"Meeting Request","sentiment_type":"positive"},` +
		`{"id":3,"name":"Not Interested","sentiment_type":"negative"},{"id":4,"name":"Do Not Contact","sentiment_type":"negative"},` +
		`{"id":5,"name":"Information Request","sentiment_type":"neutral"},{"id":6,"name":"Out Of Office","sentiment_type":"neutral"},` +
		`{"id":7,"name":"Wrong Person","sentiment_type":"neutral"}]` + "\n"
	ownJSON := `[{"id":11,"name":"Hot","sentiment_type":"positive"},{"id":12,"name":"Cold","sentiment_type":"negative"}]` + "\n"
	tests := []struct {
		name   string
		opts   simulator.Options
		change func(s *simulator.Server)
		status int
		want   string
	}{
		{"defaults", simulator.Options{}, nil, 200, defaults},
		{"the account's own", simulator.Options{Categories: own}, nil, 200, ownJSON},
		{"changed during a run", simulator.Options{}, func(s *simulator.Server) { s.SetCategories(own) }, 200, ownJSON},
		{"failing", simulator.Options{}, func(s *simulator.Server) { s.FailCategories(500) }, 500, message("Internal Server Error")},
		{"missing", simulator.Options{}, func(s *simulator.Server) { s.FailCategories(404) }, 404,
			"<pre>Cannot GET /api/v1/leads/fetch-categories</pre>"},
		{"back again", simulator.Options{}, func(s *simulator.Server) { s.FailCategories(500); s.FailCategories(0) }, 200, defaults},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFake(t, tt.opts)
			if tt.change != nil {
				tt.change(s)
			}
			status, got := call(t, s, "GET", "/leads/fetch-categories", "")
			if status != tt.status || !strings.Contains(got, tt.want) {
				t.Errorf("fetch-categories = %d %s; want %d %s", status, got, tt.status, tt.want)
			}
		})
	}
}

// An account's own categories are the ones a webhook may name.
func TestOwnCategoriesAreTheValidOnes(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true, Categories: []simulator.Category{{ID: 11, Name: "Hot", Sentiment: "positive"}}})
	cid := s.Campaigns()[0].ID
	body := func(cat string) string {
		return jsonOf(t, map[string]any{"id": nil, "name": "x", "webhook_url": "https://example.test/h",
			"event_types": []string{"EMAIL_REPLY"}, "categories": []string{cat}})
	}
	if status, got := call(t, s, "POST", "/campaigns/"+cid+"/webhooks", body("Interested")); status != 400 ||
		got != message(`"categories[0]" must be one of [Hot]`) {
		t.Errorf("a default category on an account without it = %d %s", status, got)
	}
	if status, got := call(t, s, "POST", "/campaigns/"+cid+"/webhooks", body("Hot")); status != 200 ||
		!strings.Contains(got, `"category_id_map":{"11":true}`) {
		t.Errorf("the account's own category = %d %s", status, got)
	}
}

// A category update reaches a webhook only when the lead's new category
// is one of the webhook's; other events reach it whatever its categories.
func TestCategoryFilter(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true})
	rcv := newReceiver(t, always(http.StatusOK))
	cid := s.Campaigns()[0].ID
	var ans struct {
		ID json.Number `json:"id"`
	}
	mustCall(t, s, "POST", "/campaigns/"+cid+"/webhooks", jsonOf(t, map[string]any{"id": nil, "name": "interested only",
		"webhook_url": rcv.URL + "/interested", "event_types": allLiveTypes, "categories": []string{"Interested"}}), &ans)
	narrow := ans.ID.String()
	wide := saveCampaignHook(t, s, cid, "", rcv.URL+"/all", nil)
	lead := leadOf(t, s, cid)
	seen := map[string]bool{}
	for range 60 {
		ev := s.Generator().EventFor(event.CategoryUpdated, lead)
		seen[ev.Category] = true
		ds, err := s.Emit(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range ds {
			got = append(got, d.WebhookID)
		}
		slices.Sort(got)
		want := []string{wide}
		if ev.Category == "Interested" {
			want = []string{narrow, wide}
			slices.SortFunc(want, func(a, b string) int { return mustAtoi(t, a) - mustAtoi(t, b) })
		}
		if !slices.Equal(got, want) {
			t.Fatalf("category %q went to %v, want %v", ev.Category, got, want)
		}
	}
	if !seen["Interested"] || len(seen) < 3 {
		t.Fatalf("categories generated: %v; want Interested and others", seen)
	}
	ds, _ := s.Emit(context.Background(), s.Generator().EventFor(event.Replied, lead))
	if len(ds) != 2 {
		t.Errorf("a reply went to %d webhooks, want both", len(ds))
	}
}
