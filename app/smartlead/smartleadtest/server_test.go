package smartleadtest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/smartleadtest"
)

// call makes a raw API call and returns status, Retry-After and body.
func call(t *testing.T, s *smartleadtest.Server, key, method, path, body string) (int, http.Header, string) {
	t.Helper()
	u := s.URL() + path + "?api_key=" + url.QueryEscape(key)
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func TestServerAPIAnswers(t *testing.T) {
	spec := smartleadtest.NewServer(smartleadtest.Options{Family: smartleadtest.FamilySpec})
	defer spec.Close()
	live := smartleadtest.NewServer(smartleadtest.Options{Family: smartleadtest.FamilyLive})
	defer live.Close()
	cid := spec.Campaigns()[0].ID
	hookURL := `"webhook_url":"https://example.test/hooks/abc"`
	tests := []struct {
		name       string
		s          *smartleadtest.Server
		key        string
		method     string
		path, body string
		status     int
		want       string // a substring of the answer
	}{
		{"no key", spec, "", "GET", "/campaigns", "", 401, `"message":"api_key is required"`},
		{"bad key", spec, "nope", "GET", "/campaigns", "", 401, `"error":"Invalid API Key"`},
		{"no access", spec, spec.NoAccessKey(), "GET", "/campaigns", "", 403, `"message":"Access denied"`},
		{"campaigns", spec, spec.APIKey(), "GET", "/campaigns", "", 200, `"status":"ACTIVE"`},
		{"spec create", spec, spec.APIKey(), "POST", "/webhook/create",
			`{"name":"x",` + hookURL + `,"email_campaign_id":` + cid + `,"association_type":3,"event_type_map":{"EMAIL_REPLIED":true}}`, 200, `"ok":true,"id":`},
		{"spec create, live names in the map", spec, spec.APIKey(), "POST", "/webhook/create",
			`{"name":"x",` + hookURL + `,"association_type":"user","event_type_map":{"EMAIL_REPLY":true}}`, 200, `"ok":true`},
		{"spec create, unknown campaign", spec, spec.APIKey(), "POST", "/webhook/create",
			`{"name":"x",` + hookURL + `,"email_campaign_id":1,"association_type":3,"event_type_map":{"EMAIL_REPLIED":true}}`, 404, "Campaign not found"},
		{"spec get, unknown id", spec, spec.APIKey(), "GET", "/webhook/999999", "", 404, `{"message":"Webhook not found"}`},
		{"live route on a spec account", spec, spec.APIKey(), "GET", "/campaigns/" + cid + "/webhooks", "", 404, "<pre>Cannot GET /api/v1/campaigns/" + cid + "/webhooks</pre>"},
		{"spec route on a live account", live, live.APIKey(), "POST", "/webhook/create", "{}", 404, "<pre>Cannot POST /api/v1/webhook/create</pre>"},
		{"live upsert", live, live.APIKey(), "POST", "/campaigns/" + cid + "/webhooks",
			`{"id":null,"name":"x",` + hookURL + `,"event_types":["EMAIL_REPLY"],"categories":[]}`, 200, `{"ok":true}`},
		{"live upsert, spec names", live, live.APIKey(), "POST", "/campaigns/" + cid + "/webhooks",
			`{"id":null,"name":"x",` + hookURL + `,"event_types":["EMAIL_REPLIED"]}`, 400, `\"event_types[0]\" must be one of`},
		{"live list", live, live.APIKey(), "GET", "/campaigns/" + cid + "/webhooks", "", 200, `"event_types":["EMAIL_REPLY"]`},
		{"live delete, unknown", live, live.APIKey(), "DELETE", "/campaigns/" + cid + "/webhooks", `{"id":1}`, 404, "Webhook not found"},
		{"summary", live, live.APIKey(), "GET", "/campaigns/" + cid + "/webhooks/summary", "", 400, "fromTime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := call(t, tt.s, tt.key, tt.method, tt.path, tt.body)
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("%s %s = %d %s; want %d with %s", tt.method, tt.path, status, body, tt.status, tt.want)
			}
		})
	}
	for _, c := range spec.Calls() {
		if strings.Contains(c.Path, "api_key") || strings.Contains(c.Path, spec.APIKey()) {
			t.Errorf("a recorded call holds the key: %q", c.Path)
		}
	}
}

func TestFailNext(t *testing.T) {
	s := smartleadtest.NewServer(smartleadtest.Options{})
	defer s.Close()
	s.FailNext(1, http.StatusTooManyRequests)
	status, head, body := call(t, s, s.APIKey(), "GET", "/campaigns", "")
	if status != 429 || head.Get("Retry-After") != "1" || !strings.Contains(body, `"retry_after":1`) {
		t.Errorf("got %d Retry-After %q %s; want 429 with Retry-After 1 and retry_after", status, head.Get("Retry-After"), body)
	}
	s.FailNext(1, http.StatusServiceUnavailable)
	if status, _, _ := call(t, s, s.APIKey(), "GET", "/campaigns", ""); status != 503 {
		t.Errorf("got %d, want 503", status)
	}
	if status, _, _ := call(t, s, s.APIKey(), "GET", "/campaigns", ""); status != 200 {
		t.Errorf("got %d after the failures ran out, want 200", status)
	}
}

func TestMessageHistoryFollowsEvents(t *testing.T) {
	s, c := newFake(t, smartleadtest.Options{})
	ev := s.Generator().Event(smartlead.EventReplied)
	if _, err := s.Emit(context.Background(), ev); err != nil { // no webhook: nothing sent, history kept
		t.Fatal(err)
	}
	msgs, err := c.MessageHistory(context.Background(), ev.Campaign.ID, ev.Lead.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].Type != "SENT" || msgs[1].Type != "REPLY" || msgs[1].MessageID != ev.MessageID ||
		msgs[0].From != ev.FromEmail || msgs[0].To != ev.Lead.Email || msgs[0].Sequence != ev.Sequence {
		t.Fatalf("history %+v, want the sent e-mail then the reply", msgs)
	}
	raw, _ := json.Marshal(msgs)
	if strings.Contains(string(raw), s.APIKey()) {
		t.Error("history holds the key")
	}
}
