package notify

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead"
)

func TestSingle(t *testing.T) {
	base := smartlead.Event{
		ID: "ev1", LeadName: "Jane Doe", LeadEmail: "jane@acme.example", Company: "Acme Corp",
		Subject: "Quick question", CampaignName: "SaaS founders - March",
	}
	with := func(f func(*smartlead.Event)) smartlead.Event {
		ev := base
		f(&ev)
		return ev
	}
	tests := []struct {
		name        string
		ev          smartlead.Event
		summary     string
		body        string
		wantEventID string
	}{
		{"reply", with(func(e *smartlead.Event) { e.Type = smartlead.EventReplied; e.Body = "Yes, Thursday works." }),
			"Jane Doe (Acme Corp) replied", "Yes, Thursday works.", "ev1"},
		{"reply without company", with(func(e *smartlead.Event) { e.Type = smartlead.EventReplied; e.Company = ""; e.Body = "Yes" }),
			"Jane Doe replied", "Yes", "ev1"},
		{"reply without text shows the subject", with(func(e *smartlead.Event) { e.Type = smartlead.EventReplied }),
			"Jane Doe (Acme Corp) replied", "Quick question", "ev1"},
		{"reply from an address", with(func(e *smartlead.Event) { e.Type = smartlead.EventReplied; e.LeadName = ""; e.Company = "" }),
			"jane@acme.example replied", "Quick question", "ev1"},
		{"reply from nobody known", with(func(e *smartlead.Event) {
			e.Type = smartlead.EventReplied
			e.LeadName, e.LeadEmail, e.Company = " ", "", ""
		}), "A lead replied", "Quick question", "ev1"},
		{"reply with a hostile name", with(func(e *smartlead.Event) {
			e.Type = smartlead.EventReplied
			e.LeadName, e.Company, e.Body = "<b>Jane</b>\u202e\x1b[2J", "Acme\nCorp", "<i>hi</i>"
		}), "Jane[2J (Acme Corp) replied", "hi", "ev1"},
		{"open", with(func(e *smartlead.Event) { e.Type = smartlead.EventOpened }),
			"Jane Doe opened “Quick question”", "SaaS founders - March", "ev1"},
		{"open without a subject", with(func(e *smartlead.Event) { e.Type = smartlead.EventOpened; e.Subject = "" }),
			"Jane Doe opened your email", "SaaS founders - March", "ev1"},
		{"open with a long subject", with(func(e *smartlead.Event) { e.Type = smartlead.EventOpened; e.Subject = strings.Repeat("long ", 30) }),
			"Jane Doe opened “" + strings.TrimSpace(strings.Repeat("long ", 12)) + "…”", "SaaS founders - March", "ev1"},
		{"click", with(func(e *smartlead.Event) {
			e.Type = smartlead.EventClicked
			e.URL = "https://acme.example/pricing?utm=x"
		}),
			"Jane Doe clicked a link", "https://acme.example/pricing?utm=x", "ev1"},
		{"bounce", with(func(e *smartlead.Event) {
			e.Type = smartlead.EventBounced
			e.Body = "550 5.1.1 <jane@acme.example>: user unknown"
		}),
			"Jane Doe bounced", "550 5.1.1 <jane@acme.example>: user unknown", "ev1"},
		{"unsubscribe", with(func(e *smartlead.Event) { e.Type = smartlead.EventUnsubscribed }),
			"Jane Doe unsubscribed", "SaaS founders - March", "ev1"},
		{"sent", with(func(e *smartlead.Event) { e.Type = smartlead.EventSent }),
			"Email sent to Jane Doe", "Quick question", "ev1"},
		{"other", with(func(e *smartlead.Event) { e.Type = smartlead.EventOther; e.SourceType = "LEAD_CATEGORY_UPDATED" }),
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
	leads := func(n int, ty smartlead.EventType) []smartlead.Event {
		var evs []smartlead.Event
		for i := range n {
			ev := event(fmt.Sprint(i), ty)
			ev.LeadName = fmt.Sprint("Lead ", i)
			evs = append(evs, ev)
		}
		return evs
	}
	tests := []struct {
		name    string
		events  []smartlead.Event
		summary string
		body    string
		typ     smartlead.EventType
	}{
		{"two replies", leads(2, smartlead.EventReplied), "2 new replies", "Lead 0 and Lead 1", smartlead.EventReplied},
		{"three replies", leads(3, smartlead.EventReplied), "3 new replies", "Lead 0, Lead 1 and Lead 2", smartlead.EventReplied},
		{"many replies", leads(50, smartlead.EventReplied), "50 new replies", "Lead 0, Lead 1, Lead 2 and 47 more", smartlead.EventReplied},
		{"one lead replying twice", []smartlead.Event{event("1", smartlead.EventReplied), event("2", smartlead.EventReplied)},
			"2 new replies", "Jane Doe and 1 more", smartlead.EventReplied},
		{"opens", leads(4, smartlead.EventOpened), "4 new opens", "Lead 0, Lead 1, Lead 2 and 1 more", smartlead.EventOpened},
		{"bounces", leads(3, smartlead.EventBounced), "3 new bounces", "Lead 0, Lead 1 and Lead 2", smartlead.EventBounced},
		{"mixed", append(append(leads(1, smartlead.EventReplied), leads(2, smartlead.EventOpened)...), leads(1, smartlead.EventClicked)...),
			"4 new events", "1 reply, 2 opens, 1 click", ""},
		{"mixed with other", append(leads(2, smartlead.EventReplied), leads(1, smartlead.EventOther)...),
			"3 new events", "2 replies, 1 other", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b batch
			for _, ev := range tt.events {
				b.add(ev)
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
