package smartlead

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIdempotencyKeySameEvent checks that deliveries of one event share a
// key: a retry with the identical body, and re-deliveries whose envelope
// differs in what does not identify the event.
func TestIdempotencyKeySameEvent(t *testing.T) {
	tests := []struct {
		name, a, b string
	}{
		{"spec retry",
			string(readFixture(t, "spec_email_replied.json")),
			string(readFixture(t, "spec_email_replied.json"))},
		{"live retry",
			string(readFixture(t, "live_email_reply.json")),
			string(readFixture(t, "live_email_reply.json"))},
		{"raw-key retry",
			string(readFixture(t, "live_lead_category_updated.json")),
			string(readFixture(t, "live_lead_category_updated.json"))},
		{"spec lead_id as number or string",
			`{"event":"EMAIL_OPENED","lead_id":789,"timestamp":"2024-01-15T10:30:00Z"}`,
			`{"lead_id":"789","event":"EMAIL_OPENED","timestamp":"2024-01-15T10:30:00Z","opened_count":4}`},
		{"live envelope differs",
			`{"event_type":"EMAIL_REPLY","stats_id":"s1","event_timestamp":"2024-03-05T08:41:12Z","webhook_id":1}`,
			`{"webhook_id":2,"event_timestamp":"2024-03-05T08:41:12Z","stats_id":"s1","event_type":"EMAIL_REPLY","secret_key":"x"}`},
		{"live stats_id as number or string",
			`{"event_type":"EMAIL_OPEN","stats_id":77,"event_timestamp":"2024-03-05T08:41:12Z"}`,
			`{"event_type":"EMAIL_OPEN","stats_id":"77","event_timestamp":"2024-03-05T08:41:12Z"}`},
		{"raw key ignores the secret",
			`{"event_type":"LEAD_CATEGORY_UPDATED","lead_id":1,"secret_key":"old secret"}`,
			`{"event_type":"LEAD_CATEGORY_UPDATED","lead_id":1,"secret_key":"new secret"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ka, kb := mustKey(t, tt.a), mustKey(t, tt.b)
			if ka != kb {
				t.Errorf("keys differ: %q and %q", ka, kb)
			}
		})
	}
}

// TestIdempotencyKeyDifferentEvents checks that different events, even
// of the same lead and campaign, get different keys.
func TestIdempotencyKeyDifferentEvents(t *testing.T) {
	tests := []struct {
		name, a, b string
	}{
		{"spec: another time",
			`{"event":"EMAIL_OPENED","lead_id":789,"timestamp":"2024-01-15T10:30:00Z"}`,
			`{"event":"EMAIL_OPENED","lead_id":789,"timestamp":"2024-01-15T10:31:00Z"}`},
		{"spec: another type",
			`{"event":"EMAIL_OPENED","lead_id":789,"timestamp":"2024-01-15T10:30:00Z"}`,
			`{"event":"EMAIL_CLICKED","lead_id":789,"timestamp":"2024-01-15T10:30:00Z"}`},
		{"spec: another lead",
			`{"event":"EMAIL_OPENED","lead_id":789,"timestamp":"2024-01-15T10:30:00Z"}`,
			`{"event":"EMAIL_OPENED","lead_id":790,"timestamp":"2024-01-15T10:30:00Z"}`},
		{"live: another open of the same email",
			`{"event_type":"EMAIL_OPEN","stats_id":"s1","event_timestamp":"2024-03-05T08:41:12Z"}`,
			`{"event_type":"EMAIL_OPEN","stats_id":"s1","event_timestamp":"2024-03-05T09:00:00Z"}`},
		{"live: another type at the same time",
			`{"event_type":"EMAIL_OPEN","stats_id":"s1","event_timestamp":"2024-03-05T08:41:12Z"}`,
			`{"event_type":"EMAIL_LINK_CLICK","stats_id":"s1","event_timestamp":"2024-03-05T08:41:12Z"}`},
		{"live: another reply",
			`{"event_type":"EMAIL_REPLY","reply_message":{"message_id":"<a@x>"},"event_timestamp":"2024-03-05T08:41:12Z"}`,
			`{"event_type":"EMAIL_REPLY","reply_message":{"message_id":"<b@x>"},"event_timestamp":"2024-03-05T08:41:12Z"}`},
		{"spec and live alike",
			`{"event":"EMAIL_REPLY","lead_id":"s1","timestamp":"t"}`,
			`{"event_type":"EMAIL_REPLY","stats_id":"s1","event_timestamp":"t"}`},
		{"raw: another body",
			`{"event_type":"LEAD_CATEGORY_UPDATED","lead_id":1,"lead_category":{"new_name":"Interested"}}`,
			`{"event_type":"LEAD_CATEGORY_UPDATED","lead_id":1,"lead_category":{"new_name":"Not interested"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ka, kb := mustKey(t, tt.a), mustKey(t, tt.b)
			if ka == kb {
				t.Errorf("both keys are %q", ka)
			}
		})
	}
}

// TestIdempotencyKeyFixturesDiffer checks that no two fixtures, each a
// different event, share a key.
func TestIdempotencyKeyFixturesDiffer(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := Parse(b)
		if err != nil {
			continue
		}
		if other, ok := seen[ev.Key]; ok {
			t.Errorf("%s and %s share the key %q", f, other, ev.Key)
		}
		seen[ev.Key] = f
	}
	if len(seen) < 17 {
		t.Errorf("only %d fixtures parsed, want all 17 valid ones", len(seen))
	}
}

// TestIdempotencyKeyFallback checks the raw-body key and when it is used.
func TestIdempotencyKeyFallback(t *testing.T) {
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "raw|" + hex.EncodeToString(sum[:])
	}
	tests := []struct {
		name, body, want string
	}{
		{"spec without lead_id", `{"event":"EMAIL_SENT","timestamp":"t"}`, hash(`{"event":"EMAIL_SENT","timestamp":"t"}`)},
		{"spec without timestamp", `{"event":"EMAIL_SENT","lead_id":1}`, hash(`{"event":"EMAIL_SENT","lead_id":1}`)},
		{"live without id", `{"event_type":"EMAIL_OPEN","event_timestamp":"t"}`, hash(`{"event_type":"EMAIL_OPEN","event_timestamp":"t"}`)},
		{"live without time", `{"event_type":"EMAIL_OPEN","stats_id":"s"}`, hash(`{"event_type":"EMAIL_OPEN","stats_id":"s"}`)},
		{"live id from message_id", `{"event_type":"EMAIL_REPLY","message_id":"m","time_replied":"t"}`, "live|EMAIL_REPLY|m|t"},
		{"live stats_id first", `{"event_type":"EMAIL_REPLY","stats_id":"s","reply_message":{"message_id":"r"},"message_id":"m","event_timestamp":"t"}`, "live|EMAIL_REPLY|s|t"},
		{"secret redacted before hashing", `{"event_type":"X","secret_key":"hunter2"}`, hash(`{"event_type":"X","secret_key":"[redacted]"}`)},
		{"not JSON", `hello`, hash(`hello`)},
		{"no event type", `{"secret_key":"hunter2"}`, hash(`{"secret_key":"[redacted]"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IdempotencyKey([]byte(tt.body)); got != tt.want {
				t.Errorf("IdempotencyKey = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestIdempotencyKeyIsParseKey checks that Parse and IdempotencyKey agree.
func TestIdempotencyKeyIsParseKey(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := Parse(b)
			if err != nil {
				return // no event.Event, nothing to agree with
			}
			if got := IdempotencyKey(b); got != ev.Key {
				t.Errorf("IdempotencyKey = %q, Parse set %q", got, ev.Key)
			}
			if strings.Contains(ev.Key, "wh-secret") {
				t.Errorf("key %q holds the secret", ev.Key)
			}
		})
	}
}

func mustKey(t *testing.T, body string) string {
	t.Helper()
	ev, err := Parse([]byte(body))
	if err != nil {
		t.Fatalf("Parse(%s): %v", body, err)
	}
	if k := IdempotencyKey([]byte(body)); k != ev.Key {
		t.Fatalf("IdempotencyKey %q differs from Parse's %q", k, ev.Key)
	}
	return ev.Key
}
