package webhook

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

const (
	testToken  = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	testSecret = "s3cret-for-tests"
)

type fixture struct {
	t      *testing.T
	store  *store.Store
	srv    *httptest.Server
	mu     sync.Mutex
	stored []event.Event
}

func newFixture(t *testing.T, secret string) *fixture {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, store: st}
	r := New(Config{Token: testToken, Secret: secret, Store: st, OnStored: func(ev event.Event) {
		f.mu.Lock()
		f.stored = append(f.stored, ev)
		f.mu.Unlock()
	}})
	f.srv = httptest.NewServer(r)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) post(path string, body []byte, header map[string]string) (int, map[string]any) {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer map[string]any
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &answer)
	return resp.StatusCode, answer
}

func (f *fixture) total() int {
	f.t.Helper()
	stats, err := f.store.Stats()
	if err != nil {
		f.t.Fatal(err)
	}
	return stats.Total
}

func (f *fixture) rejections() []store.Rejection {
	f.t.Helper()
	// Rejections are queued without waiting; a committed append flushes them.
	rs, err := f.store.Rejections(100)
	if err != nil {
		f.t.Fatal(err)
	}
	return rs
}

func fixtureBody(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func signed(body []byte) map[string]string {
	return map[string]string{smartlead.SignatureHeader: "sha256=" + smartlead.Sign(body, testSecret)}
}

func TestAnswers(t *testing.T) {
	spec := fixtureBody(t, "reply_spec.json")
	live := fixtureBody(t, "reply_live.json")
	wrongSecret := bytes.Replace(live, []byte(testSecret), []byte("guess"), 1)
	noSecretKey := bytes.Replace(live, []byte(`"secret_key"`), []byte(`"other_key"`), 1)

	tests := []struct {
		name       string
		secret     string
		path       string
		body       []byte
		header     map[string]string
		wantStatus int
		wantStored int
		wantReject bool
		verifiedBy string
	}{
		{"valid new, signature", testSecret, "/hooks/" + testToken, spec, signed(spec), 200, 1, false, "signature"},
		{"valid new, secret_key", testSecret, "/hooks/" + testToken, live, nil, 200, 1, false, "secret_key"},
		{"valid new, url token only", "", "/hooks/" + testToken, spec, nil, 200, 1, false, "url_token"},
		{"signature without sha256= prefix", testSecret, "/hooks/" + testToken, spec, map[string]string{smartlead.SignatureHeader: smartlead.Sign(spec, testSecret)}, 200, 1, false, "signature"},
		// A secret that does not match is reported, not a reason to turn a
		// delivery to the right path away.
		{"bad signature", testSecret, "/hooks/" + testToken, spec, map[string]string{smartlead.SignatureHeader: "sha256=" + strings.Repeat("ab", 32)}, 200, 1, false, "url_token"},
		{"missing signature and secret_key", testSecret, "/hooks/" + testToken, noSecretKey, nil, 200, 1, false, "url_token"},
		{"wrong secret_key", testSecret, "/hooks/" + testToken, wrongSecret, nil, 200, 1, false, "url_token"},
		{"signature in X-Hub-Signature-256", testSecret, "/hooks/" + testToken, spec, map[string]string{"X-Hub-Signature-256": "sha256=" + smartlead.Sign(spec, testSecret)}, 200, 1, false, "signature"},
		{"signature in X-Signature", testSecret, "/hooks/" + testToken, spec, map[string]string{"X-Signature": smartlead.Sign(spec, testSecret)}, 200, 1, false, "signature"},
		{"signature in X-Webhook-Signature", testSecret, "/hooks/" + testToken, spec, map[string]string{"X-Webhook-Signature": smartlead.Sign(spec, testSecret)}, 200, 1, false, "signature"},
		{"SmartLead's test event", testSecret, "/hooks/" + testToken, fixtureBody(t, "test_event.json"), nil, 200, 0, false, ""},
		{"an event type and nothing else", "", "/hooks/" + testToken, []byte(`{"event": "EMAIL_REPLIED"}`), nil, 400, 0, true, ""},
		{"a reply naming no lead or message", "", "/hooks/" + testToken, []byte(`{"event_type": "EMAIL_REPLY", "campaign_id": 7, "reply_message": {"text": "hi"}}`), nil, 400, 0, true, ""},
		{"wrong path token", testSecret, "/hooks/" + strings.Repeat("0", 64), spec, signed(spec), 404, 0, false, ""},
		{"no token", "", "/hooks/", spec, nil, 404, 0, false, ""},
		{"not JSON", "", "/hooks/" + testToken, []byte("hello=world"), nil, 400, 0, true, ""},
		{"JSON without an event type", "", "/hooks/" + testToken, []byte(`{"lead_id": 5}`), nil, 400, 0, true, ""},
		{"body over 1 MiB", "", "/hooks/" + testToken, bytes.Repeat([]byte(" "), MaxBody+1), nil, 413, 0, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.secret)
			status, answer := f.post(tt.path, tt.body, tt.header)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d (answer %v)", status, tt.wantStatus, answer)
			}
			if status == 200 && answer["status"] != "received" {
				t.Errorf("answer %v, want status received", answer)
			}
			if got := f.total(); got != tt.wantStored {
				t.Errorf("stored %d events, want %d", got, tt.wantStored)
			}
			if len(f.stored) != tt.wantStored {
				t.Errorf("OnStored called %d times, want %d", len(f.stored), tt.wantStored)
			}
			if tt.verifiedBy != "" && len(f.stored) == 1 && f.stored[0].VerifiedBy != tt.verifiedBy {
				t.Errorf("verified_by %q, want %q", f.stored[0].VerifiedBy, tt.verifiedBy)
			}
			// Push any queued rejection through the writer before reading the log.
			f.store.Close()
			st, err := store.Open(f.store.Path(), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			rs, err := st.Rejections(10)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantReject && (len(rs) != 1 || rs[0].Status != tt.wantStatus) {
				t.Errorf("rejected log %+v, want one entry with status %d", rs, tt.wantStatus)
			}
			if !tt.wantReject && len(rs) != 0 {
				t.Errorf("rejected log has %d entries, want none", len(rs))
			}
			for _, r := range rs {
				if strings.Contains(r.Reason, testSecret) {
					t.Errorf("rejection reason leaks the secret: %q", r.Reason)
				}
			}
		})
	}
}

func TestDuplicateIsStoredOnceAndAnnouncedOnce(t *testing.T) {
	f := newFixture(t, testSecret)
	body := fixtureBody(t, "reply_spec.json")
	var ids []any
	for range 3 {
		status, answer := f.post("/hooks/"+testToken, body, signed(body))
		if status != 200 || answer["status"] != "received" {
			t.Fatalf("status %d answer %v, want 200 received", status, answer)
		}
		ids = append(ids, answer["id"])
	}
	if ids[0] != ids[1] || ids[1] != ids[2] {
		t.Errorf("a duplicate got another id: %v", ids)
	}
	if got := f.total(); got != 1 {
		t.Errorf("stored %d events, want 1", got)
	}
	if len(f.stored) != 1 {
		t.Errorf("OnStored called %d times, want 1", len(f.stored))
	}
}

func TestStoreFailureAnswers503(t *testing.T) {
	f := newFixture(t, "")
	f.store.Close() // every append now fails
	resp, err := http.Post(f.srv.URL+"/hooks/"+testToken, "application/json", bytes.NewReader(fixtureBody(t, "reply_spec.json")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "60" {
		t.Fatalf("status %d, Retry-After %q; want 503, retry in 60 s (SmartLead's first retry)", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if len(f.stored) != 0 {
		t.Errorf("OnStored called for an event that was not stored")
	}
}

func TestOnlyPostToHooksIsServed(t *testing.T) {
	f := newFixture(t, "")
	for _, tt := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/hooks/" + testToken, http.StatusMethodNotAllowed},
		{http.MethodPost, "/api/events", http.StatusNotFound},
		{http.MethodGet, "/", http.StatusNotFound},
	} {
		req, _ := http.NewRequest(tt.method, f.srv.URL+tt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, resp.StatusCode, tt.want)
		}
	}
}

func TestStoredEventKeepsRawAndRedactsSecret(t *testing.T) {
	f := newFixture(t, testSecret)
	status, answer := f.post("/hooks/"+testToken, fixtureBody(t, "reply_live.json"), nil)
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	ev, err := f.store.Event(answer["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ev.Raw, []byte(testSecret)) {
		t.Error("stored raw payload still holds the webhook secret")
	}
	if ev.LeadEmail != "marco@rossi-logistics.example" || ev.Type != event.Replied {
		t.Errorf("stored %s from %q, want EMAIL_REPLIED from marco@rossi-logistics.example", ev.Type, ev.LeadEmail)
	}
}

func TestSelfTest(t *testing.T) {
	var got []string
	st, err := store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(New(Config{Token: testToken, Secret: testSecret, Store: st, OnSelfTest: func(n string) { got = append(got, n) }}))
	defer srv.Close()

	body := []byte(`{"event":"LEADBELL_SELF_TEST","nonce":"n1"}`)
	for _, tt := range []struct {
		sig  string
		want int
	}{
		{SelfTestSignature(body, testToken), 200},
		{SelfTestSignature(body, "another-token"), 401},
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/hooks/"+testToken, bytes.NewReader(body))
		req.Header.Set(SelfTestHeader, tt.sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("self-test answered %d, want %d", resp.StatusCode, tt.want)
		}
	}
	if len(got) != 1 || got[0] != "n1" {
		t.Errorf("self-tests seen %v, want [n1]", got)
	}
	stats, _ := st.Stats()
	if stats.Total != 0 {
		t.Errorf("a self-test was stored as an event")
	}
}

// TestSecretMismatchAndTestEventAreReported checks what the engine is
// told: a delivery whose secret does not match (and through which header),
// SmartLead's test event, and every accepted delivery.
func TestSecretMismatchAndTestEventAreReported(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var mu sync.Mutex
	var mismatches []Mismatch
	var deliveries []bool
	stored := 0
	srv := httptest.NewServer(New(Config{Token: testToken, Secret: testSecret, Store: st,
		OnStored:         func(event.Event) { mu.Lock(); stored++; mu.Unlock() },
		OnSecretMismatch: func(m Mismatch) { mu.Lock(); mismatches = append(mismatches, m); mu.Unlock() },
		OnDelivery:       func(test bool) { mu.Lock(); deliveries = append(deliveries, test); mu.Unlock() },
	}))
	defer srv.Close()
	f := &fixture{t: t, store: st, srv: srv}
	live := fixtureBody(t, "reply_live.json")
	spec := fixtureBody(t, "reply_spec.json")

	f.post("/hooks/"+testToken, bytes.Replace(live, []byte(testSecret), []byte("an-old-secret"), 1), nil)
	f.post("/hooks/"+testToken, spec, map[string]string{"X-Webhook-Signature": strings.Repeat("ab", 32)})
	if status, answer := f.post("/hooks/"+testToken, fixtureBody(t, "test_event.json"), nil); status != 200 || answer["test"] != true {
		t.Fatalf("test event answered %d %v, want 200 with test: true", status, answer)
	}
	f.post("/hooks/"+strings.Repeat("1", 64), spec, nil) // not ours: nothing reported
	// Refused deliveries say nothing about SmartLead's secret either.
	f.post("/hooks/"+testToken, []byte(`<xml>junk</xml>`), map[string]string{"X-Smartlead-Signature": "sha256=00"})
	f.post("/hooks/"+testToken, []byte(`{"event":"EMAIL_REPLIED"}`), map[string]string{"X-Smartlead-Signature": "sha256=00"})

	mu.Lock()
	defer mu.Unlock()
	want := []Mismatch{{Via: "secret_key"}, {Via: "X-Webhook-Signature"}}
	if !slices.Equal(mismatches, want) {
		t.Errorf("mismatches %v, want %v", mismatches, want)
	}
	if !slices.Equal(deliveries, []bool{false, false, true}) {
		t.Errorf("OnDelivery calls %v, want two deliveries then the test event", deliveries)
	}
	if stored != 2 || f.total() != 2 {
		t.Errorf("%d stored (%d in the store), want 2: the test event is not an event", stored, f.total())
	}
}
