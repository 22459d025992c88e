package smartlead

import (
	"reflect"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
)

// parseBody parses an inline body that must parse, dropping Raw and Key so
// that tests compare only the normalised fields.
func parseBody(t *testing.T, body string) event.Event {
	t.Helper()
	ev, err := Parse([]byte(body))
	if err != nil {
		t.Fatalf("Parse(%s): %v", body, err)
	}
	ev.Raw, ev.Key = nil, ""
	return ev
}

// TestParseLiveFallbacks checks each field's order of sources on the live
// shape, one rule per case.
func TestParseLiveFallbacks(t *testing.T) {
	reply := func(e event.Event) event.Event { e.Type, e.SourceType = event.Replied, "EMAIL_REPLY"; return e }
	tests := []struct {
		name, body string
		want       event.Event
	}{
		{"lead email from sl_lead_email first",
			`{"event_type":"EMAIL_REPLY","sl_lead_email":"a@x.example","to_email":"b@x.example","lead_data":{"email":"c@x.example"},"from_email":"me@us.example"}`,
			reply(event.Event{LeadEmail: "a@x.example"})},
		{"lead email from to_email",
			`{"event_type":"EMAIL_REPLY","to_email":"b@x.example","lead_data":{"email":"c@x.example"},"from_email":"me@us.example"}`,
			reply(event.Event{LeadEmail: "b@x.example"})},
		{"lead email from lead_data",
			`{"event_type":"EMAIL_REPLY","sl_lead_email":"","lead_data":{"email":"c@x.example"},"from_email":"me@us.example"}`,
			reply(event.Event{LeadEmail: "c@x.example"})},
		{"never from from_email",
			`{"event_type":"EMAIL_REPLY","from_email":"me@us.example"}`,
			reply(event.Event{})},
		{"lead name from to_name first",
			`{"event_type":"EMAIL_REPLY","to_name":"Jo Ray","lead_data":{"first_name":"Joanna","last_name":"Ray"}}`,
			reply(event.Event{LeadName: "Jo Ray"})},
		{"lead name from lead_data",
			`{"event_type":"EMAIL_REPLY","to_name":"","lead_data":{"first_name":"Joanna","last_name":"Ray"}}`,
			reply(event.Event{LeadName: "Joanna Ray"})},
		{"lead id from sl_email_lead_id first",
			`{"event_type":"EMAIL_REPLY","sl_email_lead_id":121,"lead_id":"999"}`,
			reply(event.Event{LeadID: "121"})},
		{"body from reply_message.text first",
			`{"event_type":"EMAIL_REPLY","reply_message":{"text":"t","html":"<p>h</p>"},"reply_body":"rb","preview_text":"pt"}`,
			reply(event.Event{Body: "t"})},
		{"body from reply_message.html",
			`{"event_type":"EMAIL_REPLY","reply_message":{"text":" ","html":"<p>h &amp; h</p>"},"reply_body":"rb","preview_text":"pt"}`,
			reply(event.Event{Body: "h & h"})},
		{"body from reply_body",
			`{"event_type":"EMAIL_REPLY","reply_message":{},"reply_body":"rb","preview_text":"pt"}`,
			reply(event.Event{Body: "rb"})},
		{"body from preview_text",
			`{"event_type":"EMAIL_REPLY","reply_message":null,"preview_text":"pt"}`,
			reply(event.Event{Body: "pt"})},
		{"plain reply_body with angle brackets stays text",
			`{"event_type":"EMAIL_REPLY","reply_body":"ok\n\nOn Mon, Jane <jane@x.example> wrote:\n> hi"}`,
			reply(event.Event{Body: "ok\n\nOn Mon, Jane <jane@x.example> wrote:\n> hi"})},
		{"reply_message.text is never read as HTML",
			`{"event_type":"EMAIL_REPLY","reply_message":{"text":"use <b>bold</b>"}}`,
			reply(event.Event{Body: "use <b>bold</b>"})},
		{"subject from subject first",
			`{"event_type":"EMAIL_REPLY","subject":"s","custom_subject":"cs"}`,
			reply(event.Event{Subject: "s"})},
		{"subject from custom_subject",
			`{"event_type":"EMAIL_SENT","custom_subject":"cs"}`,
			event.Event{Type: event.Sent, SourceType: "EMAIL_SENT", Subject: "cs"}},
		{"app url from app_url first",
			`{"event_type":"EMAIL_REPLY","app_url":"https://a.example","ui_master_inbox_link":"https://b.example"}`,
			reply(event.Event{AppURL: "https://a.example"})},
		{"app url from ui_master_inbox_link",
			`{"event_type":"EMAIL_REPLY","ui_master_inbox_link":"https://b.example"}`,
			reply(event.Event{AppURL: "https://b.example"})},
		{"click url from link_clicked",
			`{"event_type":"EMAIL_LINK_CLICK","link_details":[],"link_clicked":["https://b.example","https://c.example"]}`,
			event.Event{Type: event.Clicked, SourceType: "EMAIL_LINK_CLICK", URL: "https://b.example"}},
		{"click url from a lone string",
			`{"event_type":"EMAIL_LINK_CLICK","link_details":"https://a.example"}`,
			event.Event{Type: event.Clicked, SourceType: "EMAIL_LINK_CLICK", URL: "https://a.example"}},
		{"bounce body before reply text on a bounce",
			`{"event_type":"EMAIL_BOUNCE","bounce_message":{"html":"<div>550 <b>no such user</b></div>"},"preview_text":"pt"}`,
			event.Event{Type: event.Bounced, SourceType: "EMAIL_BOUNCE", Body: "550 no such user"}},
		{"bounce message as a string",
			`{"event_type":"EMAIL_BOUNCE","bounce_message":"mailbox full"}`,
			event.Event{Type: event.Bounced, SourceType: "EMAIL_BOUNCE", Body: "mailbox full"}},
		{"sent message body is not the event's body",
			`{"event_type":"EMAIL_SENT","sent_message":{"text":"Hi there"},"sent_message_body":"Hi there","custom_email_message":"Hi"}`,
			event.Event{Type: event.Sent, SourceType: "EMAIL_SENT"}},
		{"message id from reply_message first",
			`{"event_type":"EMAIL_REPLY","reply_message":{"message_id":"r"},"message_id":"m","sent_message":{"message_id":"s"}}`,
			reply(event.Event{MessageID: "r"})},
		{"message id from deprecated message_id",
			`{"event_type":"EMAIL_REPLY","message_id":"m","sent_message":{"message_id":"s"}}`,
			reply(event.Event{MessageID: "m"})},
		{"message id from sent_message",
			`{"event_type":"EMAIL_SENT","sent_message":{"message_id":"s"}}`,
			event.Event{Type: event.Sent, SourceType: "EMAIL_SENT", MessageID: "s"}},
		{"only the event type",
			`{"event_type":"EMAIL_REPLY"}`,
			reply(event.Event{})},
		{"mistyped fields read as missing",
			`{"event_type":"EMAIL_REPLY","campaign_id":{"id":1},"lead_data":"x","reply_message":[1],"to_email":["a"],"sequence_number":"two","to_name":true,"link_details":{"a":1}}`,
			reply(event.Event{})},
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

// TestParseLiveTimestamp checks that event_timestamp wins and that each
// type otherwise falls back to its own time field, and only to its own.
func TestParseLiveTimestamp(t *testing.T) {
	const (
		t1 = "2024-03-05T08:41:12Z"
		t2 = "2024-03-05T08:41:10Z"
	)
	tests := []struct {
		name, body, want string // want "" is the zero time
	}{
		{"event_timestamp first", `{"event_type":"EMAIL_REPLY","event_timestamp":"` + t1 + `","time_replied":"` + t2 + `"}`, t1},
		{"unreadable event_timestamp", `{"event_type":"EMAIL_REPLY","event_timestamp":"yesterday","time_replied":"` + t2 + `"}`, t2},
		{"time_replied", `{"event_type":"EMAIL_REPLY","time_replied":"` + t2 + `"}`, t2},
		{"reply_message.time", `{"event_type":"EMAIL_REPLY","reply_message":{"time":"` + t2 + `"}}`, t2},
		{"untracked reply", `{"event_type":"UNTRACKED_REPLIES","reply_message":{"time":"` + t2 + `"}}`, t2},
		{"time_opened", `{"event_type":"EMAIL_OPEN","time_opened":"` + t2 + `"}`, t2},
		{"time_clicked", `{"event_type":"EMAIL_LINK_CLICK","time_clicked":"` + t2 + `"}`, t2},
		{"time_sent", `{"event_type":"EMAIL_SENT","time_sent":"` + t2 + `"}`, t2},
		{"sent_message.time", `{"event_type":"FIRST_EMAIL_SENT","sent_message":{"time":"` + t2 + `"}}`, t2},
		{"bounce_message.time", `{"event_type":"EMAIL_BOUNCE","bounce_message":{"time":"` + t2 + `"}}`, t2},
		{"a reply is not dated by its sent message", `{"event_type":"EMAIL_REPLY","sent_message":{"time":"` + t2 + `"}}`, ""},
		{"an open is not dated by its send", `{"event_type":"EMAIL_OPEN","time_sent":"` + t2 + `"}`, ""},
		{"none", `{"event_type":"EMAIL_OPEN"}`, ""},
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

// TestParseIDsAsNumbersOrStrings checks that the same payload with its ids
// and counts as strings, numbers or nulls normalises alike.
func TestParseIDsAsNumbersOrStrings(t *testing.T) {
	numbers := `{"event_type":"EMAIL_REPLY","campaign_id":1187306,"sl_email_lead_id":1482956,"sequence_number":2,"stats_id":77}`
	strs := `{"event_type":"EMAIL_REPLY","campaign_id":"1187306","sl_email_lead_id":" 1482956 ","sequence_number":"2","stats_id":"77"}`
	nulls := `{"event_type":"EMAIL_REPLY","campaign_id":null,"sl_email_lead_id":null,"sequence_number":null,"stats_id":null}`
	want := event.Event{Type: event.Replied, SourceType: "EMAIL_REPLY", CampaignID: "1187306", LeadID: "1482956", SequenceNumber: 2, StatsID: "77"}
	for name, body := range map[string]string{"numbers": numbers, "strings": strs} {
		if got := parseBody(t, body); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v\nwant %+v", name, got, want)
		}
	}
	if got := parseBody(t, nulls); !reflect.DeepEqual(got, event.Event{Type: event.Replied, SourceType: "EMAIL_REPLY"}) {
		t.Errorf("nulls: got %+v", got)
	}
}

func TestParseCategoryUpdate(t *testing.T) {
	tests := []struct {
		name, body, category, previous string
	}{
		{"lead_category object", `{"event_type":"LEAD_CATEGORY_UPDATED","lead_id":5,"lead_category":{"old_id":3,"old_name":"Not Interested","new_id":1,"new_name":"Interested"}}`, "Interested", "Not Interested"},
		{"no previous category", `{"event_type":"LEAD_CATEGORY_UPDATED","lead_id":5,"lead_category":{"old_id":null,"old_name":null,"new_id":2,"new_name":"Meeting Request"}}`, "Meeting Request", ""},
		{"deprecated category", `{"event_type":"LEAD_CATEGORY_UPDATED","lead_id":5,"category":"Out Of Office","lead_category_id":6}`, "Out Of Office", ""},
		{"lead_category as a string", `{"event_type":"LEAD_CATEGORY_UPDATED","lead_id":5,"lead_category":"Wrong Person"}`, "Wrong Person", ""},
		{"not a category update", `{"event_type":"EMAIL_REPLY","sl_email_lead_id":5,"category":"Interested"}`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := parseBody(t, tt.body)
			if ev.Category != tt.category || ev.PreviousCategory != tt.previous {
				t.Errorf("category %q previous %q, want %q and %q", ev.Category, ev.PreviousCategory, tt.category, tt.previous)
			}
		})
	}
}
