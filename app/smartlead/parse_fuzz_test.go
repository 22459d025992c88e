package smartlead

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// addFixtureSeeds adds every file in testdata to the fuzz corpus.
func addFixtureSeeds(f *testing.F) [][]byte {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	var bodies [][]byte
	for _, name := range files {
		if fi, err := os.Stat(name); err != nil || fi.IsDir() {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	if len(bodies) < 20 {
		f.Fatalf("only %d fixtures", len(bodies))
	}
	return bodies
}

// nestedJSON is an object depth levels deep: {"a":{"a":...1}}.
func nestedJSON(depth int) string {
	return strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
}

// FuzzParse checks that Parse never panics, fails only with its sentinel
// errors and exactly when it should, and that what it returns is safe to
// store: Raw is valid JSON that differs from the body only in redacted
// secret_key values, the text fields carry no control characters, the
// event.Event marshals, and the key is stable.
func FuzzParse(f *testing.F) {
	for _, b := range addFixtureSeeds(f) {
		f.Add(b)
	}
	for _, s := range []string{
		`{"secret_key":"x","secret_key":{"a":"\"}"},"event":"EMAIL_SENT"}`,
		`{"event_type":"EMAIL_REPLY","reply_message":{"html":"<head><style>x</style><p>a&amp;b<br>c"}}`,
		`{"event":"EMAIL_OPENED","timestamp":"0000-01-01T00:00:00+01:00","opened_count":1e400}`,
		`{"event_type":"EMAIL_REPLY","event_timestamp":99999999999999999999999999}`,
		"{\"event\":\"\\u0000EMAIL\\u001b\"}", `  {"event":"EMAIL_SENT"}  `, `[]`, `{`, ``,
		// The edges of JSON's syntax, where ErrNotJSON must follow json.Valid.
		` { } `, `"a"`, `-0`, `01`, `1.`, `tru`, `nullnull`, "\v{}", `{"a":1,}`, `{"a" 1}`, `{a:1}`,
		`{"a":1 "b":2}`, `{"a":1}{}`, `{"a":[1,]}`, `{"\u00g0":1}`, `{"\ud800":"\u123"}`, "{\"\xff\":\"\x01\"}",
		nestedJSON(maxNesting), nestedJSON(maxNesting + 1),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in := bytes.Clone(body)
		ev, err := Parse(body)
		if !bytes.Equal(in, body) {
			t.Fatal("Parse changed its input")
		}
		trimmed := bytes.TrimLeft(body, " \t\r\n")
		isObject := json.Valid(body) && len(trimmed) > 0 && trimmed[0] == '{'
		if err != nil {
			switch {
			case errors.Is(err, ErrNotJSON):
				if isObject {
					t.Fatalf("ErrNotJSON for a JSON object: %v", err)
				}
			case errors.Is(err, ErrNoEventType):
				if !isObject {
					t.Fatalf("ErrNoEventType for a non-object: %v", err)
				}
			default:
				t.Fatalf("unexpected error %v", err)
			}
			if k := IdempotencyKey(body); !strings.HasPrefix(k, "raw|") {
				t.Fatalf("key of an unparseable body = %q", k)
			}
			return
		}
		if !isObject {
			t.Fatal("Parse accepted a body that is not a JSON object")
		}
		checkRedacted(t, body, ev.Raw)
		if _, err := json.Marshal(ev); err != nil {
			t.Fatalf("Event does not marshal: %v", err)
		}
		if ev.SourceType == "" || ev.Key == "" {
			t.Fatalf("SourceType %q, Key %q", ev.SourceType, ev.Key)
		}
		if mapType(ev.SourceType) != ev.Type {
			t.Fatalf("Type %q for %q", ev.Type, ev.SourceType)
		}
		if k := IdempotencyKey(body); k != ev.Key {
			t.Fatalf("IdempotencyKey %q, Parse %q", k, ev.Key)
		}
		texts := []string{ev.SourceType, ev.CampaignID, ev.CampaignName, ev.LeadID, ev.LeadEmail,
			ev.LeadName, ev.Company, ev.Subject, ev.Body, ev.URL, ev.AppURL, ev.MessageID}
		for k, v := range ev.CustomFields {
			texts = append(texts, k, v)
		}
		for _, s := range texts {
			if strings.IndexFunc(s, func(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }) >= 0 {
				t.Fatalf("control character in %q", s)
			}
			if s != strings.TrimSpace(s) {
				t.Fatalf("untrimmed %q", s)
			}
		}
	})
}

// checkRedacted checks that raw has the members of body in order, each
// value byte-identical except top-level secret_key values, which are
// "[redacted]", and is valid JSON.
func checkRedacted(t *testing.T, body, raw []byte) {
	t.Helper()
	if !json.Valid(raw) {
		t.Fatalf("Raw is not valid JSON: %q", raw)
	}
	type member struct{ key, val string }
	members := func(b []byte) []member {
		var ms []member
		if err := walkTopLevel(b, func(k string, start, end int) {
			ms = append(ms, member{k, string(b[start:end])})
		}); err != nil {
			t.Fatalf("walk: %v", err)
		}
		return ms
	}
	before, after := members(body), members(raw)
	if len(before) != len(after) {
		t.Fatalf("%d members before redaction, %d after", len(before), len(after))
	}
	redacted := 0
	for i, m := range before {
		want := m
		if m.key == secretField {
			want.val = redactedSecret
			redacted++
		}
		if after[i] != want {
			t.Fatalf("member %d is %q, want %q", i, after[i], want)
		}
	}
	if redacted == 0 && !bytes.Equal(raw, body) {
		t.Fatalf("Raw differs from the body with nothing to redact")
	}
	if redacted > 0 {
		if s, ok := BodySecret(raw); !ok || s != "[redacted]" {
			t.Fatalf("BodySecret(Raw) = %q, %v", s, ok)
		}
	}
}
