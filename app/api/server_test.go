package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/leadbell/leadbell/app/broker"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

type fixture struct {
	t      *testing.T
	store  *store.Store
	broker *broker.Broker
	srv    *httptest.Server
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, store: st, broker: broker.New()}
	s := New(Config{
		Store:  st,
		Broker: f.broker,
		Status: func() Status { return Status{State: StateListening, Message: "Listening", Tunnel: "none"} },
		Assets: fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>Leadbell</title>")}},
	})
	f.srv = httptest.NewServer(HostCheck(s.Handler()))
	t.Cleanup(f.srv.Close)
	return f
}

// add stores an event the way the receiver does and announces it.
func (f *fixture) add(typ event.Type, lead, body string, at time.Time) event.Event {
	f.t.Helper()
	ev, _, err := f.store.Append(context.Background(), event.Event{
		Type: typ, SourceType: string(typ), Timestamp: at, ReceivedAt: at,
		LeadID: lead, LeadEmail: lead + "@example.com", CampaignID: "7", Body: body,
		Key: fmt.Sprintf("%s|%s|%d", typ, lead, at.UnixNano()), Raw: []byte(`{"event":"x"}`),
	})
	if err != nil {
		f.t.Fatal(err)
	}
	f.broker.Publish(ev)
	return ev
}

func (f *fixture) do(method, path, host, origin, body string) (*http.Response, string) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		sb.WriteString(sc.Text())
	}
	return resp, sb.String()
}

func TestHostAndOriginChecks(t *testing.T) {
	f := newFixture(t)
	ev := f.add(event.Replied, "9", "hi", time.Now())
	port := f.srv.URL[strings.LastIndex(f.srv.URL, ":"):]
	tests := []struct {
		name, method, path, host, origin string
		want                             int
	}{
		{"loopback ip", "GET", "/api/status", "127.0.0.1" + port, "", 200},
		{"localhost", "GET", "/api/status", "localhost" + port, "", 200},
		{"ipv6 loopback", "GET", "/api/status", "[::1]" + port, "", 200},
		{"rebinding host", "GET", "/api/status", "evil.example" + port, "", 403},
		{"rebinding host, page", "GET", "/", "evil.example", "", 403},
		{"same-origin write", "POST", "/api/events/" + ev.ID + "/read", "127.0.0.1" + port, "http://127.0.0.1" + port, 200},
		{"cross-site write", "POST", "/api/events/" + ev.ID + "/read", "127.0.0.1" + port, "https://evil.example", 403},
		{"write without origin (curl)", "POST", "/api/events/" + ev.ID + "/read", "127.0.0.1" + port, "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.do(tt.method, tt.path, tt.host, tt.origin, `{"read":true}`)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tt.want, body)
			}
		})
	}
}

func TestStatusCountsFromStore(t *testing.T) {
	f := newFixture(t)
	now := time.Now().UTC()
	f.add(event.Replied, "1", "yes", now)
	f.add(event.Opened, "1", "", now.Add(time.Second))
	var st Status
	_, body := f.do("GET", "/api/status", "", "", "")
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if st.State != StateListening || st.Counts[event.Replied] != 1 || st.Counts[event.Opened] != 1 || st.Unread != 1 || st.LastEventAt == nil {
		t.Fatalf("status %+v", st)
	}
}

func TestListFiltersAndBadInput(t *testing.T) {
	f := newFixture(t)
	base := time.Now().UTC().Add(-time.Hour)
	f.add(event.Replied, "1", "Tuesday works for me", base)
	f.add(event.Opened, "2", "", base.Add(time.Minute))
	f.add(event.Replied, "3", "not interested", base.Add(2*time.Minute))
	tests := []struct {
		query string
		want  int
		code  int
	}{
		{"", 3, 200},
		{"?type=EMAIL_REPLIED", 2, 200},
		{"?q=tuesday", 1, 200},
		{"?unread=true&type=EMAIL_REPLIED", 2, 200},
		{"?limit=1", 1, 200},
		{"?limit=zero", 0, 400},
		{"?unread=maybe", 0, 400},
		{"?before=not-a-cursor", 0, 400},
	}
	for _, tt := range tests {
		resp, body := f.do("GET", "/api/events"+tt.query, "", "", "")
		if resp.StatusCode != tt.code {
			t.Errorf("%s: status %d, want %d (%s)", tt.query, resp.StatusCode, tt.code, body)
			continue
		}
		if tt.code != 200 {
			continue
		}
		var page struct{ Events []event.Event }
		json.Unmarshal([]byte(body), &page)
		if len(page.Events) != tt.want {
			t.Errorf("%s: %d events, want %d", tt.query, len(page.Events), tt.want)
		}
	}
	if resp, _ := f.do("GET", "/api/events/999999", "", "", ""); resp.StatusCode != 404 {
		t.Errorf("unknown event: status %d, want 404", resp.StatusCode)
	}
	if resp, _ := f.do("POST", "/api/events/1/read", "", "", `{"read":"yes"}`); resp.StatusCode != 400 {
		t.Errorf("bad read body: status %d, want 400", resp.StatusCode)
	}
}

func TestPageHasStrictCSP(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do("GET", "/", "", "", "")
	if resp.StatusCode != 200 || !strings.Contains(body, "Leadbell") {
		t.Fatalf("index: %d %q", resp.StatusCode, body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Fatalf("CSP %q", csp)
	}
}

// readSSE returns the stream's messages as "event id" strings until n event
// messages have arrived.
func readSSE(t *testing.T, url, lastID string, n int, during func()) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []string
	var id, event string
	sc := bufio.NewScanner(resp.Body)
	events := 0
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "event: "):
			event = line[7:]
		case line == "" && event != "":
			got = append(got, event+" "+id)
			if event == "ready" && during != nil {
				during()
			}
			if event == "event" {
				events++
			}
			event = ""
			if events == n {
				return got
			}
		}
	}
	t.Fatalf("stream ended after %v", got)
	return nil
}

func TestStreamLiveAndCatchUp(t *testing.T) {
	f := newFixture(t)
	now := time.Now().UTC()
	a := f.add(event.Replied, "1", "a", now)
	b := f.add(event.Replied, "2", "b", now.Add(time.Second))

	// A new client: ready carries the newest id, then only new events.
	var c event.Event
	got := readSSE(t, f.srv.URL+"/api/stream", "", 1, func() { c = f.add(event.Opened, "3", "", now.Add(2*time.Second)) })
	if want := []string{"ready " + b.ID, "event " + c.ID}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("new client got %v, want %v", got, want)
	}
	// A reconnecting client: everything after its Last-Event-ID, once.
	got = readSSE(t, f.srv.URL+"/api/stream", a.ID, 2, nil)
	if want := []string{"event " + b.ID, "event " + c.ID}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("reconnecting client got %v, want %v", got, want)
	}
}
