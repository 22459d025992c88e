package smartlead

import (
	"reflect"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
)

// TestParseSpecRules checks the spec shape's choices between fields.
func TestParseSpecRules(t *testing.T) {
	replied := func(e event.Event) event.Event { e.Type, e.SourceType = event.Replied, "EMAIL_REPLIED"; return e }
	tests := []struct {
		name, body string
		want       event.Event
	}{
		{"subject from the reply",
			`{"event":"EMAIL_REPLIED","email":{"subject":"Q","message_id":"m1"},"reply":{"subject":"Re: Q","message_id":"m2"}}`,
			replied(event.Event{Subject: "Re: Q", MessageID: "m2"})},
		{"subject from the email when the reply has none",
			`{"event":"EMAIL_REPLIED","email":{"subject":"Q","message_id":"m1"},"reply":{"body":"yes"}}`,
			replied(event.Event{Subject: "Q", MessageID: "m1", Body: "yes"})},
		{"subject from the email without a reply",
			`{"event":"EMAIL_REPLIED","email":{"subject":"Q"},"reply":null}`,
			replied(event.Event{Subject: "Q"})},
		{"HTML reply body becomes text",
			`{"event":"EMAIL_REPLIED","reply":{"body":"<p>Sounds good.</p><p>Call me<br>tomorrow</p>"}}`,
			replied(event.Event{Body: "Sounds good.\n\nCall me\ntomorrow"})},
		{"first name only",
			`{"event":"EMAIL_SENT","lead":{"first_name":" Jane "}}`,
			event.Event{Type: event.Sent, SourceType: "EMAIL_SENT", LeadName: "Jane"}},
		{"last name only",
			`{"event":"EMAIL_SENT","lead":{"last_name":"Doe"}}`,
			event.Event{Type: event.Sent, SourceType: "EMAIL_SENT", LeadName: "Doe"}},
		{"custom fields of every kind",
			`{"event":"EMAIL_SENT","lead":{"custom_fields":{"a":"x","b":1.5,"c":true,"d":null,"e":{"k": [1, 2]},"f":""}}}`,
			event.Event{Type: event.Sent, SourceType: "EMAIL_SENT",
				CustomFields: map[string]string{"a": "x", "b": "1.5", "c": "true", "e": `{"k":[1,2]}`, "f": ""}}},
		{"empty custom fields",
			`{"event":"EMAIL_SENT","lead":{"custom_fields":{}}}`,
			event.Event{Type: event.Sent, SourceType: "EMAIL_SENT"}},
		{"bounce text from bounce_message",
			`{"event":"EMAIL_BOUNCED","bounce_message":{"text":"550 user unknown"},"bounce_reason":"other"}`,
			event.Event{Type: event.Bounced, SourceType: "EMAIL_BOUNCED", Body: "550 user unknown"}},
		{"bounce reason is not read on other events",
			`{"event":"EMAIL_SENT","bounce_reason":"550"}`,
			event.Event{Type: event.Sent, SourceType: "EMAIL_SENT"}},
		{"live names in the spec shape",
			`{"event":"EMAIL_LINK_CLICK","link":{"url":"https://a.example"}}`,
			event.Event{Type: event.Clicked, SourceType: "EMAIL_LINK_CLICK", URL: "https://a.example"}},
		{"event wins over event_type",
			`{"event":"EMAIL_OPENED","event_type":"EMAIL_REPLY","opened_count":2}`,
			event.Event{Type: event.Opened, SourceType: "EMAIL_OPENED", OpenCount: 2}},
		{"mistyped fields read as missing",
			`{"event":"EMAIL_REPLIED","lead":"jane@x.example","reply":["yes"],"email":7,"link":"https://a.example","lead_id":{"id":1},"opened_count":"3 times"}`,
			replied(event.Event{})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseBody(t, tt.body)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestParseSpecTimestamp checks the envelope's timestamp first, then the
// event's own time, then the zero time.
func TestParseSpecTimestamp(t *testing.T) {
	const (
		t1 = "2024-01-15T11:00:00Z"
		t2 = "2024-01-15T11:05:00Z"
	)
	tests := []struct {
		name, body, want string
	}{
		{"timestamp", `{"event":"EMAIL_REPLIED","timestamp":"` + t1 + `","reply":{"received_at":"` + t2 + `"}}`, t1},
		{"reply.received_at", `{"event":"EMAIL_REPLIED","timestamp":"soon","reply":{"received_at":"` + t2 + `"}}`, t2},
		{"link.clicked_at", `{"event":"EMAIL_CLICKED","link":{"clicked_at":"` + t2 + `"}}`, t2},
		{"last_opened_at", `{"event":"EMAIL_OPENED","first_opened_at":"` + t1 + `","last_opened_at":"` + t2 + `"}`, t2},
		{"unreadable", `{"event":"EMAIL_SENT","timestamp":"15/01/2024"}`, ""},
		{"absent", `{"event":"EMAIL_SENT"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseBody(t, tt.body).Timestamp
			var want time.Time
			if tt.want != "" {
				want = mustTime(t, tt.want)
			}
			if !got.Equal(want) {
				t.Errorf("Timestamp = %v, want %v", got, want)
			}
		})
	}
}

func TestMapType(t *testing.T) {
	tests := map[string]event.Type{
		"EMAIL_SENT": event.Sent, "FIRST_EMAIL_SENT": event.Sent,
		"EMAIL_OPENED": event.Opened, "EMAIL_OPEN": event.Opened,
		"EMAIL_CLICKED": event.Clicked, "EMAIL_LINK_CLICK": event.Clicked,
		"EMAIL_REPLIED": event.Replied, "EMAIL_REPLY": event.Replied, "email_reply": event.Replied,
		"EMAIL_BOUNCED": event.Bounced, "EMAIL_BOUNCE": event.Bounced,
		"EMAIL_UNSUBSCRIBED": event.Unsubscribed, "LEAD_UNSUBSCRIBED": event.Unsubscribed,
		"LEAD_CATEGORY_UPDATED": event.CategoryUpdated, "CAMPAIGN_STATUS_CHANGED": event.Other,
		"UNTRACKED_REPLIES": event.Other, "MANUAL_STEP_REACHED": event.Other,
		"OTHER": event.Other, "SOMETHING_NEW": event.Other,
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			if got := mapType(name); got != want {
				t.Errorf("mapType(%q) = %q, want %q", name, got, want)
			}
		})
	}
}

// TestParseKeepsSourceType checks that the name as sent survives, even for
// types Leadbell does not know.
func TestParseKeepsSourceType(t *testing.T) {
	for _, name := range []string{"CAMPAIGN_STATUS_CHANGED", "MANUAL_STEP_REACHED", "email_reply", "Meeting Booked"} {
		t.Run(name, func(t *testing.T) {
			ev := parseBody(t, `{"event_type":"`+name+`"}`)
			if ev.SourceType != name {
				t.Errorf("SourceType = %q, want %q", ev.SourceType, name)
			}
		})
	}
}
