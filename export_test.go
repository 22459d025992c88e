package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app"
	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/broker"
	"github.com/leadbell/leadbell/app/export"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// seedStore writes a store in a new data directory with replies (one of
// them hostile) and opens, and returns the directory, closed.
func seedStore(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, app.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	bodies := []string{"Yes, Tuesday works.\nJane", "=HYPERLINK(\"https://evil.example\")", "<p>Merci, Zoë</p>"}
	var evs []event.Event
	for i := range 30 {
		typ, body := event.Opened, ""
		if i%3 == 0 {
			typ, body = event.Replied, bodies[i/3%len(bodies)]
		}
		evs = append(evs, event.Event{
			Type: typ, SourceType: string(typ), Timestamp: at.Add(time.Duration(i) * time.Hour),
			CampaignID: fmt.Sprint(1 + i%2), LeadID: fmt.Sprint(i), LeadEmail: fmt.Sprintf("lead%d@example.com", i),
			Body: body, Key: fmt.Sprint("k", i), Raw: []byte(`{"n":1}`),
		})
	}
	if _, err := st.AppendMany(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runExport runs leadbell export with args and returns its stdout.
func runExport(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(append([]string{"export"}, args...), &stdout, &stderr)
	return stdout.String(), err
}

// serveHeld opens the store in dir, as a running Leadbell holds it, and
// serves its API on loopback; it returns the API's host:port and the store.
func serveHeld(t *testing.T, dir string) (string, *store.Store) {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, app.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	token, err := api.LoadToken(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.HostCheck(api.TokenGate(token, api.CookieName("0"), api.New(api.Config{
		Store: st, Broker: broker.New(), Status: func() api.Status { return api.Status{} },
	}).Handler())))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), st
}

func TestExportCommand(t *testing.T) {
	dir := seedStore(t)
	tests := []struct {
		name  string
		args  []string
		query string // the same export as an API query
		rows  int
	}{
		{"default: replies as CSV", nil, "type=replies", 10},
		{"everything as JSON", []string{"--type", "all", "--format", "json"}, "type=all&format=json", 30},
		{"a campaign's opens", []string{"--type", "open", "--campaign", "2"}, "type=open&campaign=2", 10},
		{"since a date", []string{"--type", "all", "--since", "2026-11-21T00:00:00Z"}, "since=2026-11-21T00:00:00Z", 15},
		{"raw payloads", []string{"--format", "json", "--raw"}, "type=replies&format=json&raw=1", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Leadbell is not running: export opens the store.
			direct, err := runExport(t, append([]string{"--data", dir}, tt.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			want := exportOf(t, dir, tt.query, tt.rows)
			if direct != want {
				t.Fatalf("from the store:\n%s\nwant\n%s", direct, want)
			}

			// Leadbell is running and holds the store: the same bytes come
			// through its API.
			addr, held := serveHeld(t, dir)
			out := filepath.Join(t.TempDir(), "replies.out")
			summary, err := runExport(t, append([]string{"--data", dir, "--ui", addr, "--out", out}, tt.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			held.Close()
			if !strings.Contains(summary, "through the running Leadbell at http://"+addr) {
				t.Errorf("summary %q does not say the export came from the running Leadbell", summary)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != want {
				t.Fatalf("through the API:\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// exportOf is the export of query from the store in dir, written directly.
func exportOf(t *testing.T, dir, query string, rows int) string {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, app.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v, _ := url.ParseQuery(query)
	o, err := export.ParseQuery(v)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	n, err := export.Write(context.Background(), &b, st, o)
	if err != nil {
		t.Fatal(err)
	}
	if n != rows {
		t.Fatalf("%q exports %d events, want %d", query, n, rows)
	}
	return b.String()
}

func TestExportCommandFails(t *testing.T) {
	dir := seedStore(t)
	gone := "127.0.0.1:1" // nothing listens on port 1
	oldAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":"no such API call"}`)
	}))
	defer oldAPI.Close()
	empty := t.TempDir()
	tests := []struct {
		name string
		hold bool // a running Leadbell holds the store
		args []string
		want string
		is   error
	}{
		{"no data", false, []string{"--data", empty}, "no Leadbell data in " + empty, nil},
		{"bad format", false, []string{"--data", dir, "--format", "xlsx"}, "format must be csv or json", export.ErrInvalid},
		{"bad type", false, []string{"--data", dir, "--type", "delivered"}, "unknown event type", export.ErrInvalid},
		{"bad date", false, []string{"--data", dir, "--since", "monday"}, "must be a date", export.ErrInvalid},
		{"running, API unreachable", true, []string{"--data", dir, "--ui", gone}, "does not answer (pass the address it serves with --ui)", nil},
		{"running, API without export", true, []string{"--data", dir, "--ui", oldAPI.URL}, "answered 404 Not Found: no such API call", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.hold {
				_, held := serveHeld(t, dir)
				defer held.Close()
			}
			outDir := t.TempDir()
			_, err := runExport(t, append(tt.args, "--out", filepath.Join(outDir, "x.csv"))...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want one saying %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err %v is not %v", err, tt.is)
			}
			if left, _ := os.ReadDir(outDir); len(left) != 0 {
				t.Errorf("a failed export left %v behind", left)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(empty, app.DBFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("export created a store in an empty data directory (%v)", err)
	}
}
