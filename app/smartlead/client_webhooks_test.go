package smartlead_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/smartleadtest"
)

func TestWebhookLifecycle(t *testing.T) {
	tests := []struct {
		name   string
		family smartleadtest.Family
		want   string // the family the client settles on
	}{
		{"spec account", smartleadtest.FamilySpec, "spec"},
		{"live account", smartleadtest.FamilyLive, "live"},
		{"account with both", smartleadtest.FamilyBoth, "spec"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := newFake(t, smartleadtest.Options{Family: tt.family})
			c := newHarness(s.URL(), s.APIKey(), 0).c
			cid := s.Campaigns()[1].ID
			in := smartlead.Webhook{CampaignID: cid, Name: "Leadbell", URL: "https://leadbell.example/hooks/t0k3n",
				EventTypes: []smartlead.EventType{smartlead.EventReplied, smartlead.EventBounced}}

			w, err := c.CreateWebhook(ctx, in)
			if err != nil {
				t.Fatalf("CreateWebhook: %v", err)
			}
			if c.Family() != tt.want {
				t.Errorf("Family = %q, want %q", c.Family(), tt.want)
			}
			in.ID, in.Enabled = w.ID, true
			if !equalWebhook(w, in) || !equalWebhook(s.Webhooks()[0], in) {
				t.Fatalf("created %+v, fake holds %+v; want %+v", w, s.Webhooks()[0], in)
			}
			if got, err := c.GetWebhook(ctx, w); err != nil || !equalWebhook(got, in) {
				t.Fatalf("GetWebhook = %+v, %v; want %+v", got, err, in)
			}

			in.Name, in.EventTypes = "Leadbell (desk)", smartlead.EventTypes
			if _, err := c.UpdateWebhook(ctx, in); err != nil {
				t.Fatalf("UpdateWebhook: %v", err)
			}
			if got, _ := c.GetWebhook(ctx, in); !equalWebhook(got, in) {
				t.Fatalf("after update GetWebhook = %+v, want %+v", got, in)
			}

			// SmartLead disables it behind our back; saving it repairs it.
			s.DisableWebhook(w.ID)
			if got, _ := c.GetWebhook(ctx, in); got.Enabled {
				t.Fatal("GetWebhook does not show the webhook disabled")
			}
			stale := in
			stale.Enabled = false // what we last knew; saving enables it regardless
			if got, err := c.UpdateWebhook(ctx, stale); err != nil || !got.Enabled || !s.Webhooks()[0].Enabled {
				t.Fatalf("UpdateWebhook = %+v, %v; want it enabled again", got, err)
			}

			if err := c.DeleteWebhook(ctx, in); err != nil {
				t.Fatalf("DeleteWebhook: %v", err)
			}
			if len(s.Webhooks()) != 0 {
				t.Fatalf("fake still holds %v", s.Webhooks())
			}
			if _, err := c.GetWebhook(ctx, in); !errors.Is(err, smartlead.ErrNotFound) {
				t.Errorf("GetWebhook after delete = %v, want ErrNotFound", err)
			}
			if err := c.DeleteWebhook(ctx, in); !errors.Is(err, smartlead.ErrNotFound) {
				t.Errorf("second DeleteWebhook = %v, want ErrNotFound", err)
			}
			if c.Family() != tt.want {
				t.Errorf("Family changed to %q", c.Family())
			}
		})
	}
}

func equalWebhook(a, b smartlead.Webhook) bool {
	return a.ID == b.ID && a.CampaignID == b.CampaignID && a.Name == b.Name && a.URL == b.URL &&
		a.Enabled == b.Enabled && slices.Equal(a.EventTypes, b.EventTypes)
}

func TestUserLevelWebhook(t *testing.T) {
	ctx := context.Background()
	in := smartlead.Webhook{Name: "Leadbell", URL: "https://leadbell.example/hooks/x", EventTypes: smartlead.EventTypes}

	s := newFake(t, smartleadtest.Options{Family: smartleadtest.FamilySpec})
	c := newHarness(s.URL(), s.APIKey(), 0).c
	w, err := c.CreateWebhook(ctx, in)
	if err != nil || w.CampaignID != "" || s.Webhooks()[0].CampaignID != "" {
		t.Fatalf("user-level CreateWebhook on a spec account = %+v, %v", w, err)
	}
	if got, err := c.GetWebhook(ctx, w); err != nil || got.CampaignID != "" {
		t.Errorf("GetWebhook = %+v, %v; want user level", got, err)
	}

	s = newFake(t, smartleadtest.Options{Family: smartleadtest.FamilyLive})
	c = newHarness(s.URL(), s.APIKey(), 0).c
	if _, err := c.CreateWebhook(ctx, in); !errors.Is(err, smartlead.ErrCampaignRequired) {
		t.Fatalf("user-level CreateWebhook on a live account = %v, want ErrCampaignRequired", err)
	}
	if len(s.Webhooks()) != 0 {
		t.Error("a webhook was created anyway")
	}
}

func TestFallbackIsRemembered(t *testing.T) {
	ctx := context.Background()
	s := newFake(t, smartleadtest.Options{Family: smartleadtest.FamilyLive})
	c := newHarness(s.URL(), s.APIKey(), 0).c
	cid := s.Campaigns()[0].ID
	for i := range 3 {
		w := smartlead.Webhook{CampaignID: cid, Name: "Leadbell", URL: "https://leadbell.example/hooks/" + string(rune('a'+i)),
			EventTypes: []smartlead.EventType{smartlead.EventReplied}}
		got, err := c.CreateWebhook(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		if got.URL != w.URL || got.ID == "" {
			t.Fatalf("created %+v, want the webhook for %s", got, w.URL)
		}
	}
	spec := 0
	for _, call := range s.Calls() {
		if strings.HasPrefix(call.Path, "/api/v1/webhook/") {
			spec++
		}
	}
	if spec != 1 {
		t.Errorf("%d calls to the spec family, want 1: the first 404 settles it", spec)
	}
}

func TestListWebhooksShowsSpecNames(t *testing.T) {
	ctx := context.Background()
	s := newFake(t, smartleadtest.Options{})
	c := newHarness(s.URL(), s.APIKey(), 0).c
	cid := s.Campaigns()[0].ID
	w, err := c.CreateWebhook(ctx, smartlead.Webhook{CampaignID: cid, Name: "Leadbell", URL: "https://leadbell.example/h",
		EventTypes: []smartlead.EventType{smartlead.EventOpened, smartlead.EventClicked}})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListWebhooks(ctx, cid)
	if err != nil || len(list) != 1 || !equalWebhook(list[0], w) {
		t.Fatalf("ListWebhooks = %+v, %v; want [%+v]", list, err, w)
	}
	spec := newFake(t, smartleadtest.Options{Family: smartleadtest.FamilySpec})
	_, err = newHarness(spec.URL(), spec.APIKey(), 0).c.ListWebhooks(ctx, cid)
	if !errors.Is(err, smartlead.ErrUnsupported) || errors.Is(err, smartlead.ErrNotFound) {
		t.Errorf("ListWebhooks on a spec account = %v, want ErrUnsupported", err)
	}
}

// oddAPI answers GET /webhook/5 with the given status and body, and lists
// webhook 5 on the live family.
func oddAPI(t *testing.T, status int, contentType, body string) (*httptest.Server, *[]string) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.Path)
		mu.Unlock()
		switch r.Method + " " + r.URL.Path {
		case "GET /api/v1/webhook/5":
			if contentType != "" {
				w.Header().Set("Content-Type", contentType)
			}
			w.WriteHeader(status)
			w.Write([]byte(body))
		case "GET /api/v1/campaigns/77/webhooks":
			w.Write([]byte(`[{"id":5,"webhook_url":"https://h.example/x","email_campaign_id":77,"name":"L","event_types":["EMAIL_REPLY","LEAD_CATEGORY_UPDATED"],"categories":[]}]`))
		default:
			w.WriteHeader(http.StatusTeapot)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &paths
}

func TestRouteMissingOrWebhookGone(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		gone        bool // ErrNotFound, no fallback
	}{
		{"404 without body", 404, "", "", false},
		{"404 Express HTML", 404, "text/html", "<!DOCTYPE html><html><body><pre>Cannot GET /api/v1/webhook/5</pre></body></html>", false},
		{"404 plain text", 404, "text/plain", "Not Found", false},
		{"405", 405, "application/json", `{"message":"Method Not Allowed"}`, false},
		{"404 JSON message", 404, "application/json", `{"message":"Webhook not found"}`, true},
		{"404 JSON error", 404, "application/json", `{"error":"Webhook not found"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, paths := oddAPI(t, tt.status, tt.contentType, tt.body)
			c := newHarness(srv.URL+"/api/v1", "k", 0).c
			got, err := c.GetWebhook(context.Background(), smartlead.Webhook{ID: "5", CampaignID: "77"})
			if tt.gone {
				if !errors.Is(err, smartlead.ErrNotFound) || c.Family() != "spec" || len(*paths) != 1 {
					t.Errorf("GetWebhook = %v, family %q, calls %v; want ErrNotFound from the spec family alone", err, c.Family(), *paths)
				}
				return
			}
			want := smartlead.Webhook{ID: "5", CampaignID: "77", Name: "L", URL: "https://h.example/x", Enabled: true,
				EventTypes: []smartlead.EventType{smartlead.EventReplied, "LEAD_CATEGORY_UPDATED"}}
			if err != nil || !equalWebhook(got, want) || c.Family() != "live" {
				t.Errorf("GetWebhook = %+v, %v, family %q; want %+v from the live family", got, err, c.Family(), want)
			}
		})
	}
}

func TestKnownSpecFamilyReads404AsGone(t *testing.T) {
	srv, paths := oddAPI(t, 404, "text/html", "<html><pre>Cannot GET /api/v1/webhook/5</pre></html>")
	withCreate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/webhook/create" {
			w.Write([]byte(`{"ok":true,"id":5,"webhook_url":"https://h.example/x"}`))
			return
		}
		srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer withCreate.Close()
	c := newHarness(withCreate.URL+"/api/v1", "k", 0).c
	if _, err := c.CreateWebhook(context.Background(), smartlead.Webhook{Name: "L", URL: "https://h.example/x"}); err != nil {
		t.Fatal(err)
	}
	// The spec family answered, so any 404 from it means the webhook is gone.
	if _, err := c.GetWebhook(context.Background(), smartlead.Webhook{ID: "5", CampaignID: "77"}); !errors.Is(err, smartlead.ErrNotFound) {
		t.Errorf("GetWebhook = %v, want ErrNotFound once the spec family is known", err)
	}
	if slices.Contains(*paths, "GET /api/v1/campaigns/77/webhooks") {
		t.Error("the client fell back to the live family after the spec family had answered")
	}
}

func TestNoFamilyAnswers(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	c := newHarness(srv.URL+"/api/v1", "k", 0).c
	_, err := c.CreateWebhook(context.Background(), smartlead.Webhook{CampaignID: "1", Name: "L", URL: "https://h.example/x",
		EventTypes: []smartlead.EventType{smartlead.EventReplied}})
	if !errors.Is(err, smartlead.ErrUnsupported) || errors.Is(err, smartlead.ErrNotFound) {
		t.Errorf("CreateWebhook = %v, want ErrUnsupported and not ErrNotFound", err)
	}
}

func TestWebhookCallsNeedAnID(t *testing.T) {
	s := newFake(t, smartleadtest.Options{})
	c := newHarness(s.URL(), s.APIKey(), 0).c
	ctx := context.Background()
	noID := smartlead.Webhook{CampaignID: s.Campaigns()[0].ID, Name: "L", URL: "https://h.example/x"}
	if _, err := c.GetWebhook(ctx, noID); err == nil {
		t.Error("GetWebhook without an id succeeded")
	}
	if _, err := c.UpdateWebhook(ctx, noID); err == nil {
		t.Error("UpdateWebhook without an id succeeded")
	}
	if err := c.DeleteWebhook(ctx, noID); err == nil {
		t.Error("DeleteWebhook without an id succeeded")
	}
	if len(s.Calls()) != 0 || c.Family() != "" {
		t.Errorf("calls %v, family %q: nothing should have been sent", s.Calls(), c.Family())
	}
}
