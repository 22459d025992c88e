package webhook

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/store"
)

func TestLogKeepsLatestAnswersNewestFirst(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := NewLog(New(Config{Token: testToken, Secret: testSecret, Store: st}), 3)
	srv := httptest.NewServer(log)
	defer srv.Close()

	good := fixtureBody(t, "reply_spec.json")
	post := func(body []byte, sig string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/hooks/"+testToken, strings.NewReader(string(body)))
		if sig != "" {
			req.Header.Set(smartlead.SignatureHeader, sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	post(good, "sha256="+smartlead.Sign(good, testSecret))
	post(good, "sha256=00") // taken on the path token, the mismatch noted
	post([]byte("not JSON"), "")
	selfTest := []byte(`{"event":"LEADBELL_SELF_TEST","nonce":"x"}`)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/hooks/"+testToken, strings.NewReader(string(selfTest)))
	req.Header.Set(SelfTestHeader, SelfTestSignature(selfTest, testToken))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}

	got := log.Recent(10)
	if len(got) != 3 {
		t.Fatalf("%d deliveries logged, want 3 (self-test not shown): %+v", len(got), got)
	}
	if got[0].Status != 400 || got[0].Reason == "" || got[1].Status != 200 || !got[1].Duplicate || got[2].Status != 200 || got[2].Duplicate || got[2].EventID == "" {
		t.Fatalf("log %+v: want 400, duplicate 200, new 200, newest first", got)
	}
	if !got[1].SecretMismatch || got[1].SignatureHeader != smartlead.SignatureHeader || got[2].SecretMismatch {
		t.Errorf("mismatch noted %v/%v via %q, want only on the second delivery, via %s", got[2].SecretMismatch, got[1].SecretMismatch, got[1].SignatureHeader, smartlead.SignatureHeader)
	}
	if got[2].Body != string(good) || got[2].BodySize != len(good) {
		t.Errorf("logged body %d bytes of %d", len(got[2].Body), got[2].BodySize)
	}
	for i := range 4 {
		post(fmt.Appendf(nil, `{"event":"EMAIL_OPENED","lead_id":%d,"timestamp":"2026-11-20T10:00:00Z"}`, i), "sha256=00")
	}
	if n := len(log.Recent(0)); n != 4 {
		t.Fatalf("log holds %d deliveries, want its 3 accepted and 1 refused", n)
	}
}

// A body that cannot be read is answered 400, never an implicit 200 for an
// event that was not kept.
func TestBrokenBodyIsNotAcknowledged(t *testing.T) {
	f := newFixture(t, "")
	conn, err := net.Dial("tcp", strings.TrimPrefix(f.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /hooks/%s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", testToken)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Fatalf("a broken body was answered %d", resp.StatusCode)
	}
	if f.total() != 0 {
		t.Fatal("a broken body was stored")
	}
}

func TestReplayIsADuplicate(t *testing.T) {
	f := newFixture(t, testSecret)
	r := New(Config{Token: testToken, Store: f.store})
	body := fixtureBody(t, "reply_live.json")
	_, answer := f.post("/hooks/"+testToken, body, nil)
	stored, err := f.store.Event(answer["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	got, dup, err := r.Replay(context.Background(), stored)
	if err != nil || !dup || got.ID != stored.ID {
		t.Fatalf("replay: %v dup=%v id=%s, want a duplicate of %s", err, dup, got.ID, stored.ID)
	}
	if f.total() != 1 {
		t.Fatalf("%d events after a replay, want 1", f.total())
	}
}

// The log reads what was answered from the receiver's note, or from the
// JSON answer of a handler that does not note it; both give the same.
func TestLogReadsTheAnswer(t *testing.T) {
	plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, http.StatusOK, map[string]any{"status": "received", "id": "7", "duplicate": true})
	})
	refusing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"status": "error", "error": "no event type"})
	})
	tests := []struct {
		name      string
		handler   http.Handler
		readsBody bool
		want      Delivery
	}{
		{"noted duplicate", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			writeReceived(w, answerNote{id: "7", dup: true})
		}), true, Delivery{Status: 200, EventID: "7", Duplicate: true}},
		{"noted refusal", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { answer(w, 400, "no event type") }), false, Delivery{Status: 400, Reason: "no event type"}},
		{"JSON duplicate", plain, true, Delivery{Status: 200, EventID: "7", Duplicate: true}},
		{"JSON refusal", refusing, false, Delivery{Status: 400, Reason: "no event type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := NewLog(tt.handler, 1)
			body := `{"event":"EMAIL_OPENED"}`
			log.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/hooks/x", strings.NewReader(body)))
			got := log.Recent(1)
			if len(got) != 1 {
				t.Fatalf("%d deliveries logged, want 1", len(got))
			}
			d := got[0]
			if d.Status != tt.want.Status || d.EventID != tt.want.EventID || d.Duplicate != tt.want.Duplicate || d.Reason != tt.want.Reason {
				t.Errorf("logged %+v, want %+v", d, tt.want)
			}
			if tt.readsBody && (d.Body != body || d.BodySize != len(body)) {
				t.Errorf("logged body %q (%d), want %q", d.Body, d.BodySize, body)
			}
		})
	}
}

// A flood of bad signatures leaves the latest genuine deliveries in the
// log, keeps only a share of the refusals, and is counted in full by the
// store while only a sample of it is written to the rejected log.
func TestFloodKeepsGenuineDeliveriesInTheLog(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	log := NewLog(New(Config{Token: testToken, Secret: testSecret, Store: st, Now: func() time.Time { return now }}), 20)
	post := func(body []byte, sig string) int {
		req := httptest.NewRequest(http.MethodPost, "/hooks/"+testToken, strings.NewReader(string(body)))
		req.Header.Set(smartlead.SignatureHeader, sig)
		rec := httptest.NewRecorder()
		log.ServeHTTP(rec, req)
		return rec.Code
	}
	var genuine []string
	for i := range 8 {
		body := fmt.Appendf(nil, `{"event_type":"EMAIL_OPEN","campaign_id":7,"to_email":"lead%d@example.com","event_timestamp":"2026-11-20T10:00:0%dZ"}`, i, i)
		if code := post(body, "sha256="+smartlead.Sign(body, testSecret)); code != http.StatusOK {
			t.Fatalf("genuine delivery %d answered %d", i, code)
		}
	}
	for _, d := range log.Recent(0) {
		genuine = append(genuine, d.EventID)
	}
	const flood = 2000
	for i := range flood {
		if code := post(fmt.Appendf(nil, `{"event_type":"EMAIL_OPEN","n":%d}`, i), "sha256=00"); code != http.StatusBadRequest {
			t.Fatalf("an open of nobody answered %d", code)
		}
	}
	got := log.Recent(0)
	var ids []string
	refused := 0
	for _, d := range got {
		if d.Status == http.StatusOK {
			ids = append(ids, d.EventID)
		} else {
			refused++
		}
	}
	if len(genuine) != 8 || !slices.Equal(ids, genuine) {
		t.Errorf("genuine deliveries after the flood %v, want %v", ids, genuine)
	}
	if refused != 5 || got[0].Status != http.StatusBadRequest {
		t.Errorf("%d refusals kept (newest first: %d), want 20/4 = 5", refused, got[0].Status)
	}
	if n := st.RejectedTotal(); n != flood {
		t.Errorf("RejectedTotal = %d, want %d", n, flood)
	}
	rs, err := st.Rejections(1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) == 0 || len(rs) > 10 {
		t.Errorf("%d rejections written for a flood within one second, want a small sample", len(rs))
	}
}

// TestSecretNeverShownOrKept: the webhook secret a live delivery carries in
// secret_key is in neither the Inspector's log nor the rejected log.
func TestSecretNeverShownOrKept(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	log := NewLog(New(Config{Token: testToken, Secret: testSecret, Store: st}), 10)
	srv := httptest.NewServer(log)
	defer srv.Close()
	live := fixtureBody(t, "reply_live.json")
	refused := []byte(`{"event_type":"EMAIL_REPLY","secret_key":"` + testSecret + `"}`) // names no lead: 400
	for _, body := range [][]byte{live, refused} {
		resp, err := http.Post(srv.URL+"/hooks/"+testToken, "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	got := log.Recent(0)
	if len(got) != 2 {
		t.Fatalf("%d deliveries logged, want 2", len(got))
	}
	for _, d := range got {
		if strings.Contains(d.Body, testSecret) || !strings.Contains(d.Body, "[redacted]") {
			t.Errorf("logged body %q: want secret_key redacted", d.Body)
		}
	}
	st.Close() // flush the rejected log
	st, err = store.Open(st.Path(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rs, err := st.Rejections(10)
	if err != nil || len(rs) != 1 {
		t.Fatalf("rejections %v, %v; want one", rs, err)
	}
	if strings.Contains(string(rs[0].Body), testSecret) {
		t.Errorf("the rejected log keeps the secret: %s", rs[0].Body)
	}
}

// TestInspectorCannotBeFedLies: a forged self-test header does not hide a
// request from the Inspector or its counts; guesses at the path are
// counted, not kept; behind ngrok the sender is the address ngrok saw.
func TestInspectorCannotBeFedLies(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := NewLog(New(Config{Token: testToken, Store: st}), 4)
	srv := httptest.NewServer(TrustForwarded(log))
	defer srv.Close()
	post := func(path string, body []byte, header map[string]string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(string(body)))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	good := fixtureBody(t, "reply_spec.json")
	post("/hooks/"+testToken, good, map[string]string{"X-Forwarded-For": "6.6.6.6, 203.0.113.9"})
	post("/hooks/"+strings.Repeat("0", 64), good, map[string]string{SelfTestHeader: "forged"})
	for range 10 {
		post("/hooks/guess", good, nil)
	}
	post("/hooks/"+testToken, []byte(`{"event":"LEADBELL_SELF_TEST","nonce":"x"}`), map[string]string{SelfTestHeader: "forged"})
	probe := []byte(`{"event":"LEADBELL_SELF_TEST","nonce":"y"}`)
	post("/hooks/"+testToken, probe, map[string]string{SelfTestHeader: SelfTestSignature(probe, testToken)})

	counts := log.Counts()
	if counts[http.StatusNotFound] != 11 || counts[http.StatusUnauthorized] != 1 || counts[http.StatusOK] != 1 {
		t.Errorf("counts %v, want 11 404s, the forged self-test's 401 and one 200 (the genuine self-test not counted)", counts)
	}
	got := log.Recent(0)
	if len(got) != 2 || got[0].Status != http.StatusUnauthorized || got[1].Status != http.StatusOK {
		t.Fatalf("log %+v, want the forged self-test's 401 and the delivery, no 404", got)
	}
	if got[1].Remote != "203.0.113.9" {
		t.Errorf("remote %q, want the address ngrok appended", got[1].Remote)
	}
}
