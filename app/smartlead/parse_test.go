package smartlead

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
)

// readFixture returns the bytes of testdata/name.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

const (
	marta      = "marta@brightpath.example"
	martaStats = "e0c34b4f-7c4a-4d7e-9a1e-6f0b8d2c5a11"
	martaApp   = "https://app.smartlead.ai/app/master-inbox?action=INBOX&leadMap=2980113"
	saas       = "SaaS founders - March"
	saasSubj   = "Marta, a question about BrightPath's onboarding"
)

// TestParseFixtures parses every valid fixture and compares the whole
// normalised event.Event (but Raw) and its idempotency key with values written
// out by hand from the fixture.
func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file string
		want event.Event
		key  string // "" means the raw-body fallback
	}{
		// The spec family.
		{"spec_email_sent.json", event.Event{
			Type: event.Sent, SourceType: "EMAIL_SENT", Timestamp: mustTime(t, "2024-01-15T09:00:00Z"),
			CampaignID: "123", CampaignName: "Cold Outreach Q1", LeadID: "789",
			LeadEmail: "jane.doe@acme-corp.example", LeadName: "Jane Doe", Company: "Acme Corp",
			SequenceNumber: 1, Subject: "Quick question about Acme's hiring", MessageID: "<abc123@smartlead.ai>",
		}, "spec|789|EMAIL_SENT|2024-01-15T09:00:00Z"},
		{"spec_email_opened.json", event.Event{
			Type: event.Opened, SourceType: "EMAIL_OPENED", Timestamp: mustTime(t, "2024-01-15T12:20:00Z"),
			CampaignID: "123", CampaignName: "Cold Outreach Q1", LeadID: "789",
			SequenceNumber: 2, Subject: "Following up", OpenCount: 3, MessageID: "<def456@smartlead.ai>",
		}, "spec|789|EMAIL_OPENED|2024-01-15T14:20:00+02:00"},
		{"spec_email_clicked.json", event.Event{
			Type: event.Clicked, SourceType: "EMAIL_CLICKED", Timestamp: mustTime(t, "2024-01-15T10:45:00.123Z"),
			CampaignID: "123", LeadID: "789", LeadEmail: "jane.doe@acme-corp.example", LeadName: "Jane",
			SequenceNumber: 1, URL: "https://example.com/demo?utm_source=smartlead",
		}, "spec|789|EMAIL_CLICKED|2024-01-15T10:45:00.123Z"},
		{"spec_email_replied.json", event.Event{
			Type: event.Replied, SourceType: "EMAIL_REPLIED", Timestamp: mustTime(t, "2024-01-15T11:00:00Z"),
			CampaignID: "123", CampaignName: "Cold Outreach Q1", LeadID: "789",
			LeadEmail: "jane.doe@acme-corp.example", LeadName: "Jane Doe", Company: "Acme Corp",
			CustomFields:   map[string]string{"job_title": "CEO", "employees": "250", "is_customer": "false"},
			SequenceNumber: 1, Subject: "Re: Quick question", MessageID: "reply-abc123",
			Body: "Thanks for reaching out.\nI'm interested  - can we talk Thursday?\n\nJane",
		}, "spec|789|EMAIL_REPLIED|2024-01-15 11:00:00"},
		{"spec_email_bounced.json", event.Event{
			Type: event.Bounced, SourceType: "EMAIL_BOUNCED", Timestamp: mustTime(t, "2024-01-15T11:00:00Z"),
			CampaignID: "123", CampaignName: "Cold Outreach Q1", LeadID: "790",
			LeadEmail: "old.address@defunct.example", LeadName: "Sam Lee",
			SequenceNumber: 1, Subject: "Quick question", MessageID: "<ghi789@smartlead.ai>",
			Body: "550 5.1.1 The email account that you tried to reach does not exist.",
		}, "spec|790|EMAIL_BOUNCED|1705316400"},
		{"spec_email_unsubscribed.json", event.Event{
			Type: event.Unsubscribed, SourceType: "EMAIL_UNSUBSCRIBED", Timestamp: mustTime(t, "2024-01-15T12:00:00Z"),
			CampaignID: "123", CampaignName: "Cold Outreach Q1", LeadID: "791",
			LeadEmail: "not.interested@example.org", LeadName: "Alex Kim", Company: "Kim & Partners",
			SequenceNumber: 3,
		}, "spec|791|EMAIL_UNSUBSCRIBED|1705320000000"},

		// The live family.
		{"live_email_sent.json", event.Event{
			Type: event.Sent, SourceType: "EMAIL_SENT", Timestamp: mustTime(t, "2024-03-04T09:15:02Z"),
			CampaignID: "1187306", CampaignName: saas, LeadID: "2304571", LeadEmail: marta, LeadName: "Marta Silva",
			SequenceNumber: 1, Subject: saasSubj, AppURL: martaApp,
			MessageID: "<7d1e2f30-a1b2-4c3d-9e8f-0a1b2c3d4e5f@outreach-mail.example>",
			StatsID:   martaStats,
		}, "live|EMAIL_SENT|" + martaStats + "|2024-03-04T09:15:02.000Z"},
		{"live_first_email_sent.json", event.Event{
			Type: event.Sent, SourceType: "FIRST_EMAIL_SENT", Timestamp: mustTime(t, "2024-03-04T09:20:45Z"),
			CampaignID: "1187306", CampaignName: saas, LeadID: "2304588", LeadEmail: "dev@kitewire.example",
			LeadName: "Dev Patel", SequenceNumber: 1, Subject: "Dev, a question about Kitewire's onboarding",
			StatsID: "1c9a7d55-0b7e-4a43-8f61-2c3e4d5f6a7b",
		}, "live|FIRST_EMAIL_SENT|1c9a7d55-0b7e-4a43-8f61-2c3e4d5f6a7b|2024-03-04T09:20:45Z"},
		{"live_email_open.json", event.Event{ // no event_timestamp: time_opened
			Type: event.Opened, SourceType: "EMAIL_OPEN", Timestamp: mustTime(t, "2024-03-04T11:02:37Z"),
			CampaignID: "1187306", CampaignName: saas, LeadID: "2304571", LeadEmail: marta, LeadName: "Marta Silva",
			SequenceNumber: 1, Subject: saasSubj, AppURL: martaApp,
			StatsID: martaStats,
		}, "live|EMAIL_OPEN|" + martaStats + "|2024-03-04 11:02:37"},
		{"live_email_link_click.json", event.Event{ // event_timestamp in unix milliseconds
			Type: event.Clicked, SourceType: "EMAIL_LINK_CLICK", Timestamp: mustTime(t, "2024-03-04T11:22:38Z"),
			CampaignID: "1187306", CampaignName: saas, LeadID: "2304571", LeadEmail: marta, LeadName: "Marta Silva",
			SequenceNumber: 1, Subject: saasSubj, URL: "https://calendly.example/tom/20min",
			StatsID: martaStats,
		}, "live|EMAIL_LINK_CLICK|" + martaStats + "|1709551358000"},
		{"live_email_reply.json", event.Event{
			Type: event.Replied, SourceType: "EMAIL_REPLY", Timestamp: mustTime(t, "2024-03-05T08:41:12Z"),
			CampaignID: "1187306", CampaignName: saas, LeadID: "2304571", LeadEmail: marta, LeadName: "Marta Silva",
			SequenceNumber: 2, Subject: "Re: " + saasSubj, AppURL: martaApp,
			MessageID: "<CAF=x9Qp2vY8@mail.brightpath.example>",
			Body: "Hi Tom,\n\nYes, happy to chat. Does Thursday 2pm work?\n\nMarta\n\n" +
				"On Mon, Mar 4, 2024 at 10:15 AM Tom <tom@outreach-mail.example> wrote:\n> Hi Marta,\n> Just bumping this up.",
			StatsID: martaStats,
		}, "live|EMAIL_REPLY|" + martaStats + "|2024-03-05T08:41:12.000Z"},
		{"live_email_reply_html_only.json", event.Event{ // lead email from to_email
			Type: event.Replied, SourceType: "EMAIL_REPLY", Timestamp: mustTime(t, "2024-03-05T15:03:27Z"),
			CampaignID: "1187306", CampaignName: saas, LeadID: "2304588", LeadEmail: "dev@kitewire.example",
			LeadName: "Dev Patel", SequenceNumber: 1, Subject: "RE: Dev, a question about Kitewire's onboarding",
			AppURL:    "https://app.smartlead.ai/app/master-inbox?action=INBOX&leadMap=2980140",
			MessageID: "<DB9PR01MB1234.eurprd01.prod.outlook.example>",
			Body: "Hi Tom,\n\nNot right now \u2014 we're mid-migration. Try me in Q3 & I\u2019ll take a look.\n\n" +
				"Budget: Q3\nOwner: me\nDev\nCTO, Kitewire",
			StatsID: "1c9a7d55-0b7e-4a43-8f61-2c3e4d5f6a7b",
		}, "live|EMAIL_REPLY|1c9a7d55-0b7e-4a43-8f61-2c3e4d5f6a7b|2024-03-05T15:03:27Z"},
		{"live_email_reply_deprecated.json", event.Event{
			Type: event.Replied, SourceType: "EMAIL_REPLY", Timestamp: mustTime(t, "2023-09-11T10:15:02Z"),
			CampaignID: "904512", CampaignName: "Agencies EU", LeadID: "121", LeadEmail: "henrik@nordlys.example",
			LeadName: "Henrik", SequenceNumber: 3, Subject: "Re: Partnership idea",
			AppURL:    "https://app.smartlead.ai/app/master-inbox?leadMap=77120",
			MessageID: "<20230911101502.8f2c@mx.nordlys.example>",
			Body:      "Hei,\nplease remove me from your list.",
		}, "live|EMAIL_REPLY|<20230911101502.8f2c@mx.nordlys.example>|2023-09-11T10:15:02Z"},
		{"live_email_bounce.json", event.Event{
			Type: event.Bounced, SourceType: "EMAIL_BOUNCE", Timestamp: mustTime(t, "2024-03-04T09:16:40Z"),
			CampaignID: "1187306", CampaignName: saas, LeadID: "2304600", LeadEmail: "info@gone-startup.example",
			SequenceNumber: 1, Subject: "A question about onboarding",
			MessageID: "<bounce-5a6b7c8d@mx.outreach-mail.example>",
			Body: "Delivery to the following recipient failed permanently:\n\n" +
				"    info@gone-startup.example\n\n550 5.1.1 User unknown",
			StatsID: "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
		}, "live|EMAIL_BOUNCE|5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d|2024-03-04T09:16:40.000Z"},
		{"live_lead_unsubscribed.json", event.Event{
			Type: event.Unsubscribed, SourceType: "LEAD_UNSUBSCRIBED", Timestamp: mustTime(t, "2024-03-06T07:30:00Z"),
			CampaignID: "1187306", CampaignName: saas, LeadID: "2304612", LeadEmail: "ops@quietco.example",
			LeadName: "Priya Nair", SequenceNumber: 2,
			StatsID: "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f",
		}, "live|LEAD_UNSUBSCRIBED|9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f|2024-03-06 07:30:00"},
		{"live_lead_category_updated.json", event.Event{ // lead_id and lead_data
			Type: event.CategoryUpdated, SourceType: "LEAD_CATEGORY_UPDATED", Timestamp: mustTime(t, "2024-03-05T09:02:00Z"),
			CampaignID: "1187306", CampaignName: saas, LeadID: "2304571", LeadEmail: marta, LeadName: "Marta Silva",
			Company: "BrightPath", CustomFields: map[string]string{"Role": "Head of People", "Seats": "40"},
			Category: "Interested",
		}, ""},
		{"live_unknown_type.json", event.Event{
			Type: event.Other, SourceType: "MEETING_BOOKED", Timestamp: mustTime(t, "2024-03-07T13:00:00Z"),
			CampaignID: "1187306", LeadID: "2304571", LeadEmail: marta,
		}, ""},
		{"live_untracked_replies.json", event.Event{ // reply text kept on an OTHER event
			Type: event.Other, SourceType: "UNTRACKED_REPLIES", Timestamp: mustTime(t, "2024-03-08T17:45:09Z"),
			LeadEmail: "someone@unknown-sender.example", Subject: "Your newsletter",
			Body: "Who gave you this address?", MessageID: "<untracked-1@unknown-sender.example>",
		}, "live|UNTRACKED_REPLIES|<untracked-1@unknown-sender.example>|2024-03-08T17:45:09Z"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw := readFixture(t, tt.file)
			got, err := Parse(raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			wantKey := tt.key
			if wantKey == "" {
				wantKey = rawKey(got.Raw)
			}
			if got.Key != wantKey {
				t.Errorf("Key = %q, want %q", got.Key, wantKey)
			}
			if !json.Valid(got.Raw) {
				t.Errorf("Raw is not valid JSON")
			}
			got.Raw, got.Key = nil, ""
			if !got.Timestamp.Equal(tt.want.Timestamp) {
				t.Errorf("Timestamp = %v, want %v", got.Timestamp, tt.want.Timestamp)
			}
			got.Timestamp, tt.want.Timestamp = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, tt.want) {
				g, _ := json.MarshalIndent(got, "", "  ")
				w, _ := json.MarshalIndent(tt.want, "", "  ")
				t.Errorf("Event mismatch\ngot:  %s\nwant: %s", g, w)
			}
		})
	}
}

// TestParseInvalidFixtures checks the two sentinel errors and that their
// messages quote nothing from the payload.
func TestParseInvalidFixtures(t *testing.T) {
	tests := []struct {
		file string
		want error
	}{
		{"invalid_not_json.txt", ErrNotJSON},
		{"invalid_truncated.json", ErrNotJSON},
		{"invalid_array.json", ErrNotJSON},
		{"invalid_missing_type.json", ErrNoEventType},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw := readFixture(t, tt.file)
			_, err := Parse(raw)
			assertParseError(t, err, tt.want, raw)
		})
	}
}

func TestParseInvalidBodies(t *testing.T) {
	tests := []struct {
		name string
		body string
		want error
	}{
		{"empty", "", ErrNotJSON},
		{"white space", " \n\t", ErrNotJSON},
		{"string", `"EMAIL_REPLY"`, ErrNotJSON},
		{"number", `42`, ErrNotJSON},
		{"null", `null`, ErrNotJSON},
		{"object then junk", `{"event":"EMAIL_SENT"} {}`, ErrNotJSON},
		{"nested too deep", nestedJSON(maxNesting + 1), ErrNotJSON},
		{"nested as deep as allowed", nestedJSON(maxNesting), ErrNoEventType},
		{"empty object", `{}`, ErrNoEventType},
		{"empty event", `{"event":"","lead_id":1}`, ErrNoEventType},
		{"blank event type", `{"event_type":"  \u0000 "}`, ErrNoEventType},
		{"event is an object", `{"event":{"type":"EMAIL_SENT"}}`, ErrNoEventType},
		{"event type is null", `{"event_type":null}`, ErrNoEventType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.body))
			assertParseError(t, err, tt.want, []byte(tt.body))
		})
	}
}

func assertParseError(t *testing.T, err, want error, raw []byte) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("Parse error = %v, want %v", err, want)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "smartlead: ") {
		t.Errorf("error %q lacks the package prefix", msg)
	}
	for _, leak := range []string{"EMAIL_", "1187306", "789", "brightpath", "campaign_id"} {
		if strings.Contains(string(raw), leak) && strings.Contains(msg, leak) {
			t.Errorf("error %q quotes the payload (%q)", msg, leak)
		}
	}
}

func TestParseStripsControlCharacters(t *testing.T) {
	body := `{"event_type":"EMAIL_REPLY\u0000","to_name":" Ma\u001b[31mrta\u0007 ",` +
		`"subject":"Re:\u0085 hi\r\n","reply_message":{"text":"line 1\r\nline\t2\u0000\u007f\rline 3"}}`
	ev, err := Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := event.Event{Type: event.Replied, SourceType: "EMAIL_REPLY", LeadName: "Ma[31mrta",
		Subject: "Re: hi", Body: "line 1\nline\t2\nline 3"}
	ev.Raw, ev.Key = nil, ""
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("got %+v\nwant %+v", ev, want)
	}
}
