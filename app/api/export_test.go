package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/export"
	"github.com/leadbell/leadbell/event"
)

// get fetches path from the fixture's server with a loopback Host and
// returns the whole body.
func (f *fixture) get(path string) (*http.Response, []byte) {
	f.t.Helper()
	resp, err := http.Get(f.srv.URL + path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatalf("GET %s: %v", path, err)
	}
	return resp, b
}

func TestExportDownload(t *testing.T) {
	f := newFixture(t)
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	f.add(event.Replied, "1", "=HYPERLINK(\"https://evil.example\")", at)
	f.add(event.Opened, "1", "", at.Add(time.Minute))
	f.add(event.Replied, "2", "Merci ! <b>Zoë</b>\nà bientôt", at.Add(2*time.Minute))

	tests := []struct {
		name, query, contentType string
		disposition              *regexp.Regexp
		rows                     int // events in the file
	}{
		{"replies as CSV", "?type=EMAIL_REPLIED", "text/csv; charset=utf-8",
			regexp.MustCompile(`^attachment; filename="leadbell-replies-\d{4}-\d{2}-\d{2}\.csv"$`), 2},
		{"short type name", "?type=reply&format=csv", "text/csv; charset=utf-8",
			regexp.MustCompile(`^attachment; filename="leadbell-replies-\d{4}-\d{2}-\d{2}\.csv"$`), 2},
		{"everything as JSON", "?format=json", "application/json; charset=utf-8",
			regexp.MustCompile(`^attachment; filename="leadbell-events-\d{4}-\d{2}-\d{2}\.json"$`), 3},
		{"opens as JSON with raw", "?format=json&type=EMAIL_OPENED&raw=1", "application/json; charset=utf-8",
			regexp.MustCompile(`^attachment; filename="leadbell-events-\d{4}-\d{2}-\d{2}\.json"$`), 1},
		{"since", "?since=2026-11-20T09:01:00Z", "text/csv; charset=utf-8",
			regexp.MustCompile(`leadbell-events-`), 2},
		{"nothing matches", "?campaign=404", "text/csv; charset=utf-8",
			regexp.MustCompile(`leadbell-events-`), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.get("/api/export" + tt.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tt.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tt.contentType)
			}
			if cd := resp.Header.Get("Content-Disposition"); !tt.disposition.MatchString(cd) {
				t.Errorf("Content-Disposition %q, want %s", cd, tt.disposition)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			// The answer is byte for byte what the exporter writes, which is
			// what leadbell export writes when it opens the store itself.
			v, _ := url.ParseQuery(strings.TrimPrefix(tt.query, "?"))
			o, err := export.ParseQuery(v)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			n, err := export.Write(context.Background(), &want, f.store, o)
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.rows {
				t.Errorf("%d events exported, want %d", n, tt.rows)
			}
			if !bytes.Equal(body, want.Bytes()) {
				t.Errorf("body\n%s\nwant\n%s", body, want.Bytes())
			}
		})
	}
}

func TestExportContent(t *testing.T) {
	f := newFixture(t)
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	f.add(event.Replied, "1", "=1+2", at)
	_, csvBody := f.get("/api/export?type=replies")
	if !bytes.Contains(csvBody, []byte(",'=1+2,")) {
		t.Errorf("the formula reply is not neutralised in\n%s", csvBody)
	}
	_, jsonBody := f.get("/api/export?format=json&raw=1")
	var evs []event.Event
	if err := json.Unmarshal(jsonBody, &evs); err != nil {
		t.Fatalf("%v\n%s", err, jsonBody)
	}
	if len(evs) != 1 || evs[0].Body != "=1+2" || string(evs[0].Raw) != `{"event":"x"}` {
		t.Errorf("JSON export %+v, want the reply as stored, with raw", evs)
	}
}

func TestExportRefuses(t *testing.T) {
	f := newFixture(t)
	port := f.srv.URL[strings.LastIndex(f.srv.URL, ":"):]
	tests := []struct {
		name, query, host string
		want              int
	}{
		{"unknown format", "?format=xlsx", "", http.StatusBadRequest},
		{"unknown type", "?type=EMAIL_DELIVERED", "", http.StatusBadRequest},
		{"bad date", "?since=last+week", "", http.StatusBadRequest},
		{"rebinding host", "?format=csv", "evil.example" + port, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.do("GET", "/api/export"+tt.query, tt.host, "", "")
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tt.want, body)
			}
			if cd := resp.Header.Get("Content-Disposition"); cd != "" {
				t.Errorf("a refusal came as a download (%q)", cd)
			}
			var e struct{ Error string }
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error == "" {
				t.Errorf("body %q, want a JSON error", body)
			}
		})
	}
}

// TestExportStoreFailure: a store that fails before anything is written is
// an ordinary 500, not a broken download.
func TestExportStoreFailure(t *testing.T) {
	f := newFixture(t)
	f.store.Close()
	resp, body := f.get("/api/export")
	if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("Content-Disposition") != "" {
		t.Fatalf("status %d, disposition %q (%s): want a plain 500", resp.StatusCode, resp.Header.Get("Content-Disposition"), body)
	}
}
