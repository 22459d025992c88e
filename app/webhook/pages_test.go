package webhook

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// TestSmartLeadPagesEndToEnd delivers each sample payload SmartLead
// publishes on its own pages (../smartlead/testdata/pages, sources in
// SOURCES.md there) to a receiver over HTTP, and reads back what was
// stored: delivery -> answer -> the event's fields.
func TestSmartLeadPagesEndToEnd(t *testing.T) {
	type want struct {
		status                          int
		test                            bool // SmartLead's sample, taken as its test event
		typ                             event.Type
		leadID, email, name, company    string
		campaign, subject, messageID    string
		statsID, url, category, bodyHas string
		when                            string // the event's time, RFC 3339; "" for the arrival time
	}
	tests := map[string]want{
		"live_email_reply.json": {status: 200, typ: event.Replied, leadID: "1482956", email: "lead@example.com",
			name: "James Parker", campaign: "9181", subject: "Some more conversions?", bodyHas: "webhook reply",
			messageID: "<BDD5kUwc77maSjLRv2gmq35VkzEF9K4L3csPPCVx8e5kWbUnrsD@mail.gmail.com>",
			statsID:   "a891fe37-c45d-21e8-67ba-fcd44e9c33a8", when: "2025-03-28T09:35:01Z"},
		"live_email_reply_eventsref.json": {status: 200, typ: event.Replied, email: "lead@example.com", name: "John Doe",
			campaign: "123", subject: "Re: Quick question about Acme Corp", bodyHas: "Thanks for reaching out. I'm interested",
			when: "2025-01-15T11:00:00Z"},
		"live_email_sent.json": {status: 200, typ: event.Sent, email: "lead@example.com", name: "John Doe",
			campaign: "123", subject: "Quick question about Acme Corp", messageID: "abc123def456", when: "2025-01-15T09:00:00Z"},
		"live_email_open.json": {status: 200, typ: event.Opened, email: "lead@example.com", name: "John Doe",
			campaign: "123", when: "2025-01-15T10:30:00Z"},
		"live_email_link_click.json": {status: 200, typ: event.Clicked, email: "lead@example.com", name: "John Doe",
			campaign: "123", url: "https://example.com/demo", when: "2025-01-15T10:45:00Z"},
		"live_lead_unsubscribed.json": {status: 200, typ: event.Unsubscribed, email: "lead@example.com",
			name: "John Doe", campaign: "123"},
		"live_lead_category_updated.json": {status: 200, typ: event.CategoryUpdated, leadID: "789",
			email: "lead@example.com", name: "John Doe", company: "Acme Corp", campaign: "123", category: "Interested"},
		"live_email_bounce.json": {status: 200, typ: event.Bounced, email: "gone@example.com", name: "Sam Ortiz",
			campaign: "9181", subject: "Some more conversions?", messageID: "<bounce-91be@mx.example.org>", statsID: "c8b2d3e4-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
			bodyHas: "550 5.1.1 User unknown", when: "2025-03-28T09:40:02Z"},
		"live_email_bounce_old.json": {status: 200, typ: event.Bounced, email: "old-lead@example.com",
			name: "Dana Whitfield", campaign: "9181", subject: "Quick question", messageID: "<bounce-7f3a@mx.example.org>",
			statsID: "b7a1c2d3-4e5f-4a6b-9c7d-8e9f0a1b2c3d",
			bodyHas: "550 5.1.1 The email account does not exist.", when: "2025-02-03T09:12:44Z"},
		"spec_email_sent.json": {status: 200, typ: event.Sent, leadID: "789", email: "lead@example.com",
			name: "John Doe", company: "Acme Corp", campaign: "123", when: "2024-11-25T09:00:00Z"},
		"spec_email_opened.json": {status: 200, typ: event.Opened, leadID: "789", email: "lead@example.com",
			name: "John", campaign: "123", when: "2024-11-25T10:30:00Z"},
		"spec_email_clicked.json": {status: 200, typ: event.Clicked, leadID: "789", email: "lead@example.com",
			campaign: "123", url: "https://example.com/demo", when: "2024-11-25T10:45:00Z"},
		"spec_email_replied.json": {status: 200, typ: event.Replied, leadID: "789", email: "lead@example.com",
			name: "John Doe", company: "Acme Corp", campaign: "123", subject: "Re: Quick question", messageID: "reply-abc123",
			bodyHas: "Thanks for reaching out. I'm interested", when: "2024-11-25T11:00:00Z"},
		"spec_email_bounced.json": {status: 200, typ: event.Bounced, leadID: "789", email: "invalid@example.com",
			campaign: "123", bodyHas: "Mailbox does not exist", when: "2024-11-25T09:05:00Z"},
		"spec_email_unsubscribed.json": {status: 200, typ: event.Unsubscribed, leadID: "789", email: "lead@example.com",
			name: "John", campaign: "123", when: "2024-11-25T12:00:00Z"},
		"spec_core_structure_email_replied.json": {status: 200, typ: event.Replied, leadID: "789",
			email: "lead@example.com", name: "Jane Doe", company: "Acme Corp", campaign: "123", subject: "Re: Quick question",
			messageID: "abc123@smartlead.ai",
			bodyHas:   "Thanks for reaching out", when: "2024-01-15T10:30:00Z"},
		"hybrid_guide_email_replied.json": {status: 200, typ: event.Replied, leadID: "67890", email: "alex@acmecorp.com",
			name: "Alex Chen", company: "Acme Corp", campaign: "12345", messageID: "abc123",
			bodyHas: "Let's set up a call next Tuesday", when: "2025-01-15T14:32:00Z"},
		"hybrid_create_page_replied.json": {status: 200, typ: event.Other, email: "john@example.com", campaign: "123",
			subject: "Re: Quick question", when: "2025-11-26T10:30:00Z"},
		// The help pages' Example Responses are what "Test Webhook" sends.
		"help_email_reply_partial.json":      {status: 200, test: true},
		"help_email_open_partial.json":       {status: 200, test: true},
		"help_email_link_click_partial.json": {status: 200, test: true},
		// This one lacks the sample's stats_id "id": an unsubscribe like any other.
		"help_lead_unsubscribed_partial.json": {status: 200, typ: event.Unsubscribed, email: "lead@example.com",
			name: "Bob", messageID: "<message-id@example.org>", when: "2023-09-26T11:16:24.671Z"},
		"help_lead_category_updated_structure.json": {status: 400}, // a field list with no values names nobody
		// Its placeholders name a message, so it is kept as a bounce.
		"help_email_bounce_structure.json": {status: 200, typ: event.Bounced, messageID: "<Bounced message ID>",
			bodyHas: "<Bounced full email>"},
	}
	dir := filepath.Join("..", "smartlead", "testdata", "pages")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in %s: %v", dir, err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		w, ok := tests[name]
		if !ok {
			t.Errorf("%s has no expectation here", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			st, err := store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			srv := httptest.NewServer(New(Config{Token: testToken, Store: st}))
			defer srv.Close()
			f := &fixture{t: t, store: st, srv: srv}
			status, answer := f.post("/hooks/"+testToken, body, nil)
			if status != w.status {
				t.Fatalf("answered %d %v, want %d", status, answer, w.status)
			}
			if w.status != 200 || w.test {
				if (answer["test"] == true) != w.test || f.total() != 0 {
					t.Fatalf("answer %v with %d stored, want test=%v and nothing stored", answer, f.total(), w.test)
				}
				return
			}
			id, _ := answer["id"].(string)
			ev, err := st.Event(id)
			if err != nil {
				t.Fatalf("event %q: %v", id, err)
			}
			check := func(field, got, want string) {
				if got != want {
					t.Errorf("%s = %q, want %q", field, got, want)
				}
			}
			check("type", string(ev.Type), string(w.typ))
			check("lead_id", ev.LeadID, w.leadID)
			check("lead_email", ev.LeadEmail, w.email)
			check("lead_name", ev.LeadName, w.name)
			check("company", ev.Company, w.company)
			check("campaign_id", ev.CampaignID, w.campaign)
			check("subject", ev.Subject, w.subject)
			check("message_id", ev.MessageID, w.messageID)
			check("stats_id", ev.StatsID, w.statsID)
			check("url", ev.URL, w.url)
			check("category", ev.Category, w.category)
			if !strings.Contains(ev.Body, w.bodyHas) || w.bodyHas == "" && ev.Body != "" && w.typ != event.Sent {
				t.Errorf("body %q, want it to hold %q", ev.Body, w.bodyHas)
			}
			if w.when != "" {
				want, _ := time.Parse(time.RFC3339, w.when)
				if !ev.Timestamp.Equal(want) {
					t.Errorf("timestamp %v, want %v", ev.Timestamp, want)
				}
			} else if !ev.Timestamp.IsZero() {
				t.Errorf("timestamp %v, want none", ev.Timestamp)
			}
			if ev.VerifiedBy != event.VerifiedByURLToken || strings.Contains(string(ev.Raw), "4f7c8d23") {
				t.Errorf("verified_by %q, raw secret redacted: %v", ev.VerifiedBy, !strings.Contains(string(ev.Raw), "4f7c8d23"))
			}
		})
	}
}
