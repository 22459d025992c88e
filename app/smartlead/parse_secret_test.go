package smartlead

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestParseRedactsSecretKey checks that Raw differs from the body only in
// the value of a top-level secret_key, byte for byte.
func TestParseRedactsSecretKey(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"fixture", string(readFixture(t, "live_email_reply.json")),
			strings.Replace(string(readFixture(t, "live_email_reply.json")),
				`"secret_key": "wh-secret-7f3a9c1e"`, `"secret_key": "[redacted]"`, 1)},
		{"odd spacing", string(readFixture(t, "live_email_reply_deprecated.json")),
			strings.Replace(string(readFixture(t, "live_email_reply_deprecated.json")),
				`"secret_key" :  "wh-secret-7f3a9c1e"`, `"secret_key" :  "[redacted]"`, 1)},
		{"no secret", `{"event_type":"EMAIL_OPEN", "stats_id" : 1}`, `{"event_type":"EMAIL_OPEN", "stats_id" : 1}`},
		{"first member", `{"secret_key":"s3cr3t","event_type":"EMAIL_OPEN"}`,
			`{"secret_key":"[redacted]","event_type":"EMAIL_OPEN"}`},
		{"escaped and non-string", "{\"event\":\"EMAIL_SENT\",\n\t\"secret_key\":\t{\"a\":[1,\"\\\"}\"]}\n}",
			"{\"event\":\"EMAIL_SENT\",\n\t\"secret_key\":\t\"[redacted]\"\n}"},
		{"repeated", `{"secret_key":"one","event":"EMAIL_SENT","secret_key":"two"}`,
			`{"secret_key":"[redacted]","event":"EMAIL_SENT","secret_key":"[redacted]"}`},
		{"nested is kept", `{"event":"EMAIL_SENT","lead":{"secret_key":"not ours"}}`,
			`{"event":"EMAIL_SENT","lead":{"secret_key":"not ours"}}`},
		{"other case is kept", `{"event":"EMAIL_SENT","Secret_Key":"x"}`, `{"event":"EMAIL_SENT","Secret_Key":"x"}`},
		{"null", `{"event":"EMAIL_SENT","secret_key":null}`, `{"event":"EMAIL_SENT","secret_key":"[redacted]"}`},
		{"escaped name", `{"event":"EMAIL_SENT","\u0073ecret_key":"x"}`, `{"event":"EMAIL_SENT","\u0073ecret_key":"[redacted]"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			ev, err := Parse(body)
			if err != nil {
				t.Fatal(err)
			}
			if string(ev.Raw) != tt.want {
				t.Errorf("Raw =\n%s\nwant\n%s", ev.Raw, tt.want)
			}
			if !json.Valid(ev.Raw) {
				t.Errorf("Raw is not valid JSON")
			}
			if string(body) != tt.body {
				t.Errorf("Parse changed its input")
			}
		})
	}
}

func TestParseRawIsACopy(t *testing.T) {
	body := readFixture(t, "spec_email_sent.json")
	ev, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	want := string(body)
	for i := range body {
		body[i] = ' '
	}
	if string(ev.Raw) != want {
		t.Errorf("Raw shares memory with the caller's buffer")
	}
}

func TestBodySecret(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		want   string
		wantOK bool
	}{
		{"live reply", string(readFixture(t, "live_email_reply.json")), "wh-secret-7f3a9c1e", true},
		{"odd spacing", string(readFixture(t, "live_email_reply_deprecated.json")), "wh-secret-7f3a9c1e", true},
		{"absent", string(readFixture(t, "spec_email_replied.json")), "", false},
		{"escaped", `{"secret_key":"a\"b\u00e9"}`, "a\"b\u00e9", true},
		{"escaped name", `{"\u0073ecret_key":"x"}`, "x", true},
		{"empty string", `{"secret_key":""}`, "", true},
		{"number", `{"secret_key":12345}`, "", false},
		{"null", `{"secret_key":null}`, "", false},
		{"nested only", `{"lead":{"secret_key":"x"}}`, "", false},
		{"other case", `{"SECRET_KEY":"x"}`, "", false},
		{"last wins", `{"secret_key":"one","secret_key":"two"}`, "two", true},
		{"invalid JSON", `{"secret_key":"x",`, "", false},
		{"array", `[{"secret_key":"x"}]`, "", false},
		{"not JSON", `secret_key=x`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := BodySecret([]byte(tt.body))
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("BodySecret = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
