package api

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
)

// deleteReq sends DELETE path with the given request headers and returns
// the status and the body.
func (f *fixture) deleteReq(path string, header map[string]string) (int, string) {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodDelete, f.srv.URL+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestDeleteEvent(t *testing.T) {
	f := newFixture(t)
	now := time.Now().UTC()
	gone := f.add(event.Replied, "1", "please call me", now)
	kept := f.add(event.Replied, "2", "not interested", now.Add(time.Second))
	path := "/api/events/" + gone.ID

	tests := []struct {
		name   string
		path   string
		header map[string]string
		want   int
		body   string // the exact JSON answer, if not empty
	}{
		{"cross-site origin", path, map[string]string{"Origin": "https://evil.example"}, 403, ""},
		{"cross-site fetch", path, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, ""},
		{"unknown id", "/api/events/9999", nil, 404, `{"code":"not_found","error":"This event no longer exists."}`},
		{"malformed id", "/api/events/abc", nil, 404, `{"code":"not_found","error":"This event no longer exists."}`},
		{"same origin", path, map[string]string{"Origin": f.srv.URL, "Sec-Fetch-Site": "same-origin"}, 200, `{"deleted":true,"id":"` + gone.ID + `"}`},
		{"deleted already", path, nil, 404, `{"code":"not_found","error":"This event no longer exists."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := f.deleteReq(tt.path, tt.header)
			if status != tt.want {
				t.Fatalf("status %d, want %d (%s)", status, tt.want, body)
			}
			if tt.body != "" && body != tt.body+"\n" {
				t.Errorf("body %s, want %s", body, tt.body)
			}
		})
	}

	if resp, _ := f.do("GET", path, "", "", ""); resp.StatusCode != 404 {
		t.Errorf("GET of the deleted event: status %d, want 404", resp.StatusCode)
	}
	var page struct{ Events []event.Event }
	_, body := f.do("GET", "/api/events", "", "", "")
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 || page.Events[0].ID != kept.ID {
		t.Errorf("GET /api/events lists %+v, want only %s", page.Events, kept.ID)
	}
	var st Status
	_, body = f.do("GET", "/api/status", "", "", "")
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if st.Unread != 1 || st.Counts[event.Replied] != 1 {
		t.Errorf("status after delete: unread %d, replies %d; want 1 and 1", st.Unread, st.Counts[event.Replied])
	}
	// SmartLead redelivers it: a duplicate, and it stays deleted.
	gone.ID, gone.Read = "", false
	if again, dup, err := f.store.Append(context.Background(), gone); err != nil || !dup {
		t.Errorf("redelivery: id %s dup %v err %v", again.ID, dup, err)
	}
	if resp, _ := f.do("GET", path, "", "", ""); resp.StatusCode != 404 {
		t.Errorf("GET after redelivery: status %d, want 404", resp.StatusCode)
	}
}

// An open event stream hears of a deletion, so another window drops the
// event too; the message carries no SSE id, so the stream's place stays.
func TestDeleteIsAnnouncedOnTheStream(t *testing.T) {
	f := newFixture(t)
	gone := f.add(event.Replied, "1", "please call me", time.Now().UTC())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.srv.URL+"/api/stream", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && sc.Text() != "event: ready" {
	}
	for sc.Scan() && sc.Text() != "" { // the rest of the ready message
	}
	if status, body := f.deleteReq("/api/events/"+gone.ID, nil); status != http.StatusOK {
		t.Fatalf("DELETE: %d %s", status, body)
	}
	var msg []string
	for sc.Scan() {
		line := sc.Text()
		if line == "" && len(msg) > 0 {
			break
		}
		if line != "" && !strings.HasPrefix(line, ":") {
			msg = append(msg, line)
		}
	}
	want := []string{"event: deleted", `data: {"id":"` + gone.ID + `"}`}
	if !slices.Equal(msg, want) {
		t.Fatalf("the stream's message after the delete: %q, want %q", msg, want)
	}
}
