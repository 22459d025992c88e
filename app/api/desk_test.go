package api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/leadbell/leadbell/app/broker"
	"github.com/leadbell/leadbell/app/desk"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/internal/testkit"
	"github.com/leadbell/leadbell/store"
)

// newDeskFixture is the API with a running reply desk, signed in to a
// simulated SmartLead, and a lead's reply stored as a live delivery.
func newDeskFixture(t *testing.T) (*fixture, *simulator.Server, event.Event) {
	t.Helper()
	sim := simulator.NewServer(simulator.Options{Seed: 6})
	t.Cleanup(sim.Close)
	st, err := store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	client := smartlead.NewClient(sim.URL(), sim.APIKey(), smartlead.ClientOptions{Limiter: rate.NewLimiter(rate.Inf, 0), MaxRetries: -1})
	f := &fixture{t: t, store: st, broker: broker.New()}
	changes := broker.New()
	d := desk.New(desk.Config{Store: st, Client: func() *smartlead.Client { return client }, Stored: f.broker.Publish, Changed: changes.Publish})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	s := New(Config{Store: st, Broker: f.broker, Desk: d, Changes: changes,
		Status: func() Status { return Status{State: StateListening} }})
	f.srv = httptest.NewServer(HostCheck(s.Handler()))
	t.Cleanup(f.srv.Close)

	sample := sim.Generator().EventFor(event.Replied, sim.Generator().Leads()[0])
	if _, err := sim.Emit(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	ev, err := smartlead.Parse(sample.LiveJSON(""))
	if err != nil {
		t.Fatal(err)
	}
	ev.ReceivedAt = time.Now().UTC()
	if ev, _, err = st.Append(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	return f, sim, ev
}

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	return v
}

func TestAnswerThroughTheAPI(t *testing.T) {
	f, sim, reply := newDeskFixture(t)
	resp, body := f.do("POST", "/api/events/"+reply.ID+"/reply", "", "", `{"body":"Taken back.","delay_s":30}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("reply: %d %s", resp.StatusCode, body)
	}
	kept := decode[Outbox](t, body)
	if kept.ID == "" || kept.State != "waiting" || time.Until(kept.SendAt) < 20*time.Second {
		t.Fatalf("reply answered %s, want an outbox id and a send_at 30 s ahead", body)
	}
	if resp, body := f.do("DELETE", "/api/outbox/"+kept.ID, "", "", ""); resp.StatusCode != 200 || decode[Outbox](t, body).State != "cancelled" {
		t.Fatalf("cancel: %d %s", resp.StatusCode, body)
	}

	if resp, body := f.do("PUT", "/api/events/"+reply.ID+"/draft", "", "", `{"body":"Tuesday 10:0","cc":["a@x.test"]}`); resp.StatusCode != 200 {
		t.Fatalf("save draft: %d %s", resp.StatusCode, body)
	}
	if _, body := f.do("GET", "/api/events/"+reply.ID+"/draft", "", "", ""); decode[desk.Draft](t, body).Body != "Tuesday 10:0" || !decode[desk.Draft](t, body).Signature {
		t.Fatalf("the draft reads %s", body)
	}
	resp, body = f.do("POST", "/api/events/"+reply.ID+"/reply", "", "", `{"body":"Tuesday 10:00?","cc":"a@x.test, b@x.test","delay_s":0}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("reply: %d %s", resp.StatusCode, body)
	}
	sent := decode[Outbox](t, body)
	testkit.WaitFor(t, "the answer sent", func() bool {
		_, body := f.do("GET", "/api/outbox/"+sent.ID, "", "", "")
		return decode[Outbox](t, body).State == "sent"
	})
	if resp, _ := f.do("GET", "/api/events/"+reply.ID+"/draft", "", "", ""); resp.StatusCode != http.StatusNoContent {
		t.Errorf("the draft after sending: %d, want 204 (gone)", resp.StatusCode)
	}
	if got := sim.ThreadReplies(); len(got) != 1 || got[0].CC != "a@x.test,b@x.test" || !strings.Contains(got[0].Body, "Tuesday 10:00?") {
		t.Errorf("SmartLead took %+v, want only the answer not taken back", got)
	}
	if resp, body := f.do("DELETE", "/api/outbox/"+sent.ID, "", "", ""); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "too_late") {
		t.Errorf("taking back a sent answer: %d %s, want 409 too_late", resp.StatusCode, body)
	}
	if _, body := f.do("GET", "/api/outbox?event_id="+reply.ID, "", "", ""); len(decode[struct{ Outbox []Outbox }](t, body).Outbox) != 2 {
		t.Errorf("the reply's outbox: %s, want both answers", body)
	}

	for _, tt := range []struct{ path, body, code string }{
		{"/api/events/" + reply.ID + "/reply", `{"body":"   "}`, "empty"},
		{"/api/events/" + reply.ID + "/reply", `{"body":"x","delay_s":-1}`, "invalid"},
		{"/api/events/" + reply.ID + "/reply", `{"body":"x","cc":7}`, "invalid"},
		{"/api/events/999/reply", `{"body":"x"}`, "not_found"},
	} {
		resp, body := f.do("POST", tt.path, "", "", tt.body)
		if resp.StatusCode/100 != 4 || !strings.Contains(body, `"code":"`+tt.code+`"`) {
			t.Errorf("POST %s %s: %d %s, want code %s", tt.path, tt.body, resp.StatusCode, body, tt.code)
		}
	}
}

func TestCategoriesThroughTheAPI(t *testing.T) {
	f, sim, reply := newDeskFixture(t)
	_, body := f.do("GET", "/api/categories", "", "", "")
	cats := decode[struct{ Categories []Category }](t, body).Categories
	if len(cats) != len(sim.Categories()) || cats[0].Name != sim.Categories()[0].Name {
		t.Fatalf("categories %s, want the account's", body)
	}
	resp, body := f.do("POST", "/api/leads/"+reply.LeadID+"/category", "", "", `{"category":"Interested","pause_lead":true}`)
	if resp.StatusCode != 200 || decode[event.Event](t, body).Category != "Interested" {
		t.Fatalf("set category: %d %s", resp.StatusCode, body)
	}
	if cat, paused := sim.LeadCategory(reply.CampaignID, reply.LeadID); cat != "Interested" || !paused {
		t.Errorf("SmartLead has %q paused %v", cat, paused)
	}
	if _, body := f.do("GET", "/api/events/"+reply.ID, "", "", ""); decode[event.Event](t, body).Category != "Interested" {
		t.Errorf("the reply reads %s, want the lead's new category", body)
	}
	if _, body := f.do("GET", "/api/events?type=EMAIL_REPLIED&category=Interested", "", "", ""); len(decode[store.Page](t, body).Events) != 1 {
		t.Errorf("replies of Interested leads: %s, want the one", body)
	}
	if _, body := f.do("GET", "/api/events?category=Wrong%20Person", "", "", ""); len(decode[store.Page](t, body).Events) != 0 {
		t.Errorf("events of Wrong Person leads: %s, want none", body)
	}
	if resp, body := f.do("POST", "/api/leads/"+reply.LeadID+"/category", "", "", `{"category":"Hot"}`); resp.StatusCode != 400 || !strings.Contains(body, "unknown_category") {
		t.Errorf("an unknown category: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.do("POST", "/api/leads/nobody/category", "", "", `{"category":"Interested"}`); resp.StatusCode != 404 {
		t.Errorf("an unknown lead: %d, want 404", resp.StatusCode)
	}
}

// Done and snooze filter the list, and reach open streams as "updated".
func TestDoneAndSnoozeThroughTheAPI(t *testing.T) {
	f, _, reply := newDeskFixture(t)
	other := f.add(event.Replied, "lead-2", "Not now.", time.Now().UTC())
	updates := readUpdates(t, f.srv.URL+"/api/stream", 2, func() {
		if resp, body := f.do("POST", "/api/events/"+reply.ID+"/done", "", "", `{"done":true}`); resp.StatusCode != 200 || !decode[event.Event](t, body).Done {
			t.Errorf("done: %d %s", resp.StatusCode, body)
		}
		until := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		if resp, body := f.do("POST", "/api/events/"+other.ID+"/snooze", "", "", `{"until":"`+until+`"}`); resp.StatusCode != 200 || decode[event.Event](t, body).SnoozedUntil.IsZero() {
			t.Errorf("snooze: %d %s", resp.StatusCode, body)
		}
	})
	if !updates[0].Done || updates[0].ID != reply.ID || updates[1].SnoozedUntil.IsZero() || updates[1].ID != other.ID {
		t.Errorf("the stream's updates %+v, want the reply done and the other snoozed", updates)
	}
	_, body := f.do("GET", "/api/events?done=false&snoozed=false", "", "", "")
	if evs := decode[store.Page](t, body).Events; len(evs) != 0 {
		t.Errorf("the inbox without done and snoozed: %d events, want none", len(evs))
	}
	if resp, _ := f.do("POST", "/api/events/"+other.ID+"/snooze", "", "", `{"until":"2001-01-01T00:00:00Z"}`); resp.StatusCode != 400 {
		t.Errorf("a snooze into the past: %d, want 400", resp.StatusCode)
	}
	if resp, body := f.do("POST", "/api/events/"+other.ID+"/snooze", "", "", `{"until":null}`); resp.StatusCode != 200 || !decode[event.Event](t, body).SnoozedUntil.IsZero() {
		t.Errorf("ending a snooze: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.do("GET", "/api/events?done=maybe", "", "", ""); resp.StatusCode != 400 {
		t.Errorf("done=maybe: %d, want 400", resp.StatusCode)
	}
}

// readUpdates reads the stream until n "updated" messages came, calling
// during once it is ready, and returns their events.
func readUpdates(t *testing.T, url string, n int, during func()) []event.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []event.Event
	kind := ""
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			kind = line[7:]
			if kind == "ready" {
				during()
			}
		case strings.HasPrefix(line, "data: ") && kind == "updated":
			got = append(got, decode[event.Event](t, line[6:]))
			if len(got) == n {
				return got
			}
		}
	}
	t.Fatalf("the stream ended after %d updates", len(got))
	return nil
}
