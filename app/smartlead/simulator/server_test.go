package simulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

func TestServerKeys(t *testing.T) {
	s := newFake(t, simulator.Options{})
	tests := []struct {
		name   string
		key    string
		status int
		want   string
	}{
		{"no key", "", 401, `{"message":"api_key is required"}`},
		{"bad key", "nope", 401, `{"error":"Invalid API Key"}`},
		{"no access", s.NoAccessKey(), 403, `{"message":"Access denied"}`},
		{"good key", s.APIKey(), 200, `"status":"ACTIVE"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := callKey(t, s, tt.key, "GET", "/campaigns", "")
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("GET /campaigns = %d %s; want %d with %s", status, body, tt.status, tt.want)
			}
		})
	}
	for _, c := range s.Calls() {
		if strings.Contains(c.Path, "api_key") || strings.Contains(c.Path, s.APIKey()) {
			t.Errorf("a recorded call holds the key: %q", c.Path)
		}
	}
}

// A route an account lacks answers as Express does, or as a JSON gateway
// does with MissingRouteJSON.
func TestMissingRoutes(t *testing.T) {
	live := newFake(t, simulator.Options{Family: simulator.FamilyLive})
	liveJSON := newFake(t, simulator.Options{Family: simulator.FamilyLive, MissingRouteJSON: true})
	both := newFake(t, simulator.Options{Family: simulator.FamilyBoth})
	tests := []struct {
		name         string
		s            *simulator.Server
		method, path string
		contentType  string
		want         string // the whole body for JSON, the <pre> for HTML
	}{
		{"create on a live account", live, "POST", "/webhook/create", "text/html", "<pre>Cannot POST /api/v1/webhook/create</pre>"},
		{"get on a live account", live, "GET", "/webhook/12", "text/html", "<pre>Cannot GET /api/v1/webhook/12</pre>"},
		{"update on a live account", live, "PUT", "/webhook/update/12", "text/html", "<pre>Cannot PUT /api/v1/webhook/update/12</pre>"},
		{"delete on a live account", live, "DELETE", "/webhook/delete", "text/html", "<pre>Cannot DELETE /api/v1/webhook/delete</pre>"},
		{"create behind a JSON gateway", liveJSON, "POST", "/webhook/create", "application/json", `{"message":"Cannot POST /api/v1/webhook/create"}` + "\n"},
		{"the old page's delete path", both, "DELETE", "/webhook/delete/12", "text/html", "<pre>Cannot DELETE /api/v1/webhook/delete/12</pre>"},
		{"a route nobody has", both, "GET", "/nope", "text/html", "<pre>Cannot GET /api/v1/nope</pre>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, head, body := callKey(t, tt.s, tt.s.APIKey(), tt.method, tt.path, "{}")
			ct := head.Get("Content-Type")
			if status != 404 || !strings.HasPrefix(ct, tt.contentType) {
				t.Fatalf("%s %s = %d %q; want 404 %s", tt.method, tt.path, status, ct, tt.contentType)
			}
			if tt.contentType == "application/json" && body != tt.want || !strings.Contains(body, tt.want) {
				t.Errorf("body %q, want %q", body, tt.want)
			}
		})
	}
}

func TestFailNext(t *testing.T) {
	s := newFake(t, simulator.Options{})
	s.FailNext(1, http.StatusTooManyRequests)
	status, head, body := callKey(t, s, s.APIKey(), "GET", "/campaigns", "")
	want := `{"error":{"code":"RATE_LIMIT_EXCEEDED","message":"Rate limit exceeded","retry_after":1}}` + "\n"
	if status != 429 || head.Get("Retry-After") != "1" || body != want {
		t.Errorf("got %d Retry-After %q %s; want 429, Retry-After 1 and %s", status, head.Get("Retry-After"), body, want)
	}
	s.FailNext(1, http.StatusServiceUnavailable)
	if status, body := call(t, s, "GET", "/campaigns", ""); status != 503 || !strings.Contains(body, `"message":"Service Unavailable"`) {
		t.Errorf("got %d %s, want 503 with a message", status, body)
	}
	if status, _ := call(t, s, "GET", "/campaigns", ""); status != 200 {
		t.Errorf("got %d after the failures ran out, want 200", status)
	}
}

func TestCampaignList(t *testing.T) {
	s := newFake(t, simulator.Options{})
	client := s.AddClient("Acme Agency")
	first := s.Campaigns()[0]
	s.SetCampaignClient(first.ID, client)
	var got []map[string]any
	mustCall(t, s, "GET", "/campaigns/", "", &got)
	if len(got) != len(s.Campaigns()) {
		t.Fatalf("%d campaigns listed, want %d", len(got), len(s.Campaigns()))
	}
	for i, c := range got {
		if _, isNumber := c["id"].(float64); !isNumber || c["name"] == "" || c["status"] == "" {
			t.Errorf("campaign %v: want a numeric id, a name and a status", c)
		}
		cl, present := c["client_id"]
		switch {
		case !present:
			t.Errorf("campaign %v has no client_id", c)
		case i == 0 && cl != float64(mustAtoi(t, client)):
			t.Errorf("client_id %v, want %s", cl, client)
		case i > 0 && cl != nil:
			t.Errorf("client_id %v, want null", cl)
		}
	}
}

func TestMessageHistoryFollowsEvents(t *testing.T) {
	s := newFake(t, simulator.Options{})
	ev := s.Generator().Event(event.Replied)
	if _, err := s.Emit(context.Background(), ev); err != nil { // no webhook: nothing sent, history kept
		t.Fatal(err)
	}
	var got struct {
		History []struct {
			Type      string `json:"type"`
			MessageID string `json:"message_id"`
			From      string `json:"from"`
			To        string `json:"to"`
			Seq       string `json:"email_seq_number"`
		} `json:"history"`
	}
	mustCall(t, s, "GET", "/campaigns/"+ev.Campaign.ID+"/leads/"+ev.Lead.ID+"/message-history", "", &got)
	h := got.History
	if len(h) != 2 || h[0].Type != "SENT" || h[1].Type != "REPLY" || h[1].MessageID != ev.MessageID ||
		h[0].From != ev.FromEmail || h[0].To != ev.Lead.Email {
		t.Fatalf("history %+v, want the sent e-mail then the reply", h)
	}
	raw, _ := json.Marshal(got)
	if strings.Contains(string(raw), s.APIKey()) {
		t.Error("history holds the key")
	}
}
