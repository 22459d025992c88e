package notify

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leadbell/leadbell/event"
)

func TestSingle(t *testing.T) {
	base := event.Event{
		ID: "ev1", LeadName: "Jane Doe", LeadEmail: "jane@acme.example", Company: "Acme Corp",
		Subject: "Quick question", CampaignName: "SaaS founders - March",
	}
	with := func(f func(*event.Event)) event.Event {
		ev := base
		f(&ev)
		return ev
	}
	tests := []struct {
		name        string
		ev          event.Event
		summary     string
		body        string
		wantEventID string
	}{
		{"reply", with(func(e *event.Event) { e.Type = event.Replied; e.Body = "Yes, Thursday works." }),
			"Jane Doe (Acme Corp) replied", "Yes, Thursday works.", "ev1"},
		{"reply without company", with(func(e *event.Event) { e.Type = event.Replied; e.Company = ""; e.Body = "Yes" }),
			"Jane Doe replied", "Yes", "ev1"},
		{"reply without text shows the subject", with(func(e *event.Event) { e.Type = event.Replied }),
			"Jane Doe (Acme Corp) replied", "Quick question", "ev1"},
		{"reply from an address", with(func(e *event.Event) { e.Type = event.Replied; e.LeadName = ""; e.Company = "" }),
			"jane@acme.example replied", "Quick question", "ev1"},
		{"reply from nobody known", with(func(e *event.Event) {
			e.Type = event.Replied
			e.LeadName, e.LeadEmail, e.Company = " ", "", ""
		}), "A lead replied", "Quick question", "ev1"},
		{"reply with a hostile name", with(func(e *event.Event) {
			e.Type = event.Replied
			e.LeadName, e.Company, e.Body = "<b>Jane</b>\u202e\x1b[2J", "Acme\nCorp", "<i>hi</i>"
		}), "Jane[2J (Acme Corp) replied", "hi", "ev1"},
		{"open", with(func(e *event.Event) { e.Type = event.Opened }),
			"Jane Doe opened “Quick question”", "SaaS founders - March", "ev1"},
		{"open without a subject", with(func(e *event.Event) { e.Type = event.Opened; e.Subject = "" }),
			"Jane Doe opened your email", "SaaS founders - March", "ev1"},
		{"open with a long subject", with(func(e *event.Event) { e.Type = event.Opened; e.Subject = strings.Repeat("long ", 30) }),
			"Jane Doe opened “" + strings.TrimSpace(strings.Repeat("long ", 12)) + "…”", "SaaS founders - March", "ev1"},
		{"click", with(func(e *event.Event) {
			e.Type = event.Clicked
			e.URL = "https://acme.example/pricing?utm=x"
		}),
			"Jane Doe clicked a link", "https://acme.example/pricing?utm=x", "ev1"},
		{"bounce", with(func(e *event.Event) {
			e.Type = event.Bounced
			e.Body = "550 5.1.1 <jane@acme.example>: user unknown"
		}),
			"Jane Doe bounced", "550 5.1.1 <jane@acme.example>: user unknown", "ev1"},
		{"unsubscribe", with(func(e *event.Event) { e.Type = event.Unsubscribed }),
			"Jane Doe unsubscribed", "SaaS founders - March", "ev1"},
		{"sent", with(func(e *event.Event) { e.Type = event.Sent }),
			"Email sent to Jane Doe", "Quick question", "ev1"},
		{"other", with(func(e *event.Event) { e.Type = event.Other; e.SourceType = "LEAD_CATEGORY_UPDATED" }),
			"New event from Jane Doe", "LEAD_CATEGORY_UPDATED", "ev1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := single(tt.ev, true)
			if n.Summary != tt.summary || n.Body != tt.body {
				t.Errorf("single = %q / %q, want %q / %q", n.Summary, n.Body, tt.summary, tt.body)
			}
			if n.Events != 1 || n.EventID != tt.wantEventID || n.Type != tt.ev.Type || !n.Sound {
				t.Errorf("single = %+v, want one event %q of type %s with sound", n, tt.wantEventID, tt.ev.Type)
			}
			checkShowable(t, n.Summary, 2*nameLen+20)
			checkShowable(t, n.Body, excerptLen)
		})
	}
}

func TestGrouped(t *testing.T) {
	leads := func(n int, ty event.Type) []event.Event {
		var evs []event.Event
		for i := range n {
			ev := eventOf(fmt.Sprint(i), ty)
			ev.LeadName = fmt.Sprint("Lead ", i)
			evs = append(evs, ev)
		}
		return evs
	}
	tests := []struct {
		name    string
		events  []event.Event
		summary string
		body    string
		typ     event.Type
	}{
		{"two replies", leads(2, event.Replied), "2 new replies", "Lead 0 and Lead 1", event.Replied},
		{"three replies", leads(3, event.Replied), "3 new replies", "Lead 0, Lead 1 and Lead 2", event.Replied},
		{"many replies", leads(50, event.Replied), "50 new replies", "Lead 0, Lead 1, Lead 2 and 47 more", event.Replied},
		{"one lead replying twice", []event.Event{eventOf("1", event.Replied), eventOf("2", event.Replied)},
			"2 new replies", "Jane Doe and 1 more", event.Replied},
		{"opens", leads(4, event.Opened), "4 new opens", "Lead 0, Lead 1, Lead 2 and 1 more", event.Opened},
		{"bounces", leads(3, event.Bounced), "3 new bounces", "Lead 0, Lead 1 and Lead 2", event.Bounced},
		{"mixed", append(append(leads(1, event.Replied), leads(2, event.Opened)...), leads(1, event.Clicked)...),
			"4 new events", "1 reply, 2 opens, 1 click", ""},
		{"mixed with other", append(leads(2, event.Replied), leads(1, event.Other)...),
			"3 new events", "2 replies, 1 other", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b batch
			for _, ev := range tt.events {
				b.add(ev, true)
			}
			n := grouped(&b, false)
			if n.Summary != tt.summary || n.Body != tt.body {
				t.Errorf("grouped = %q / %q, want %q / %q", n.Summary, n.Body, tt.summary, tt.body)
			}
			if n.Events != len(tt.events) || n.Type != tt.typ || n.EventID != "" || n.Sound {
				t.Errorf("grouped = %+v, want %d events of type %q, no id, no sound", n, len(tt.events), tt.typ)
			}
		})
	}
}
