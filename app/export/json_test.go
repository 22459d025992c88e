package export

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/leadbell/leadbell/event"
)

// encodeJSON writes evs through the JSON encoder and returns the bytes.
func encodeJSON(t *testing.T, evs []event.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	return encode(t, newJSONEncoder(&buf), &buf, evs)
}

func TestJSONArray(t *testing.T) {
	evs := loadHostile(t)
	evs[0].Raw = json.RawMessage(`{"event_type": "EMAIL_REPLY",
		"reply_message": {"html": "<b>x</b>"}}`)
	tests := []struct {
		name string
		evs  []event.Event
	}{
		{"empty", nil},
		{"one", evs[:1]},
		{"hostile", evs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := encodeJSON(t, tt.evs)
			var got []event.Event
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("not one JSON value: %v\n%s", err, out)
			}
			if len(got) != len(tt.evs) {
				t.Fatalf("%d elements, want %d", len(got), len(tt.evs))
			}
			for i := range got {
				want := tt.evs[i]
				if want.Raw != nil { // compacted and HTML-escaped on the way out
					var c, e bytes.Buffer
					json.Compact(&c, want.Raw)
					json.HTMLEscape(&e, c.Bytes())
					want.Raw = e.Bytes()
				}
				if !reflect.DeepEqual(got[i], want) {
					t.Errorf("element %d\n got %+v\nwant %+v", i, got[i], want)
				}
			}
			// One element a line, between "[" and "]".
			lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
			if len(tt.evs) == 0 {
				if string(out) != "[]\n" {
					t.Errorf("empty export %q, want []", out)
				}
				return
			}
			if len(lines) != len(tt.evs)+2 || lines[0] != "[" || lines[len(lines)-1] != "]" {
				t.Errorf("layout %q, want [, one line per event, ]", lines)
			}
		})
	}
}

// TestJSONMarkupIsEscaped: a reply's HTML reaches the file only as JSON
// string escapes, so a browser that sniffs the file never sees a tag.
func TestJSONMarkupIsEscaped(t *testing.T) {
	out := encodeJSON(t, loadHostile(t))
	if bytes.Contains(out, []byte("<script>")) {
		t.Errorf("raw <script> in the JSON export:\n%s", out)
	}
	if !bytes.Contains(out, []byte(`\u003cscript\u003e`)) {
		t.Errorf("the reply's markup is missing from the JSON export:\n%s", out)
	}
}
