package export

import (
	"errors"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
)

func TestParseQuery(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.Local) }
	tests := []struct {
		name  string
		query string
		want  Options
	}{
		{"defaults", "", Options{Format: FormatCSV}},
		{"json replies", "format=json&type=replies", Options{Format: FormatJSON, Type: event.Replied}},
		{"spec name", "type=EMAIL_REPLIED", Options{Format: FormatCSV, Type: event.Replied}},
		{"live name", "type=EMAIL_LINK_CLICK", Options{Format: FormatCSV, Type: event.Clicked}},
		{"short name", "type=bounce", Options{Format: FormatCSV, Type: event.Bounced}},
		{"other", "type=other", Options{Format: FormatCSV, Type: event.Other}},
		{"all", "type=all&format=CSV", Options{Format: FormatCSV}},
		{"filters", "campaign=42&lead=7&q=pricing+call&unread=true&raw=1",
			Options{Format: FormatCSV, Campaign: "42", Lead: "7", Text: "pricing call", Unread: true, Raw: true}},
		{"dates: since from the start, until through the end", "since=2026-11-01&until=2026-11-26",
			Options{Format: FormatCSV, Since: day(2026, 11, 1), Until: day(2026, 11, 27)}},
		{"times", "since=2026-11-01T08:30:00Z&until=2026-11-02T08:30:00.5%2B01:00",
			Options{Format: FormatCSV, Since: time.Date(2026, 11, 1, 8, 30, 0, 0, time.UTC),
				Until: time.Date(2026, 11, 2, 7, 30, 0, 5e8, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseQuery(v)
			if err != nil {
				t.Fatal(err)
			}
			if !sameOptions(got, tt.want) {
				t.Fatalf("ParseQuery(%q) = %+v, want %+v", tt.query, got, tt.want)
			}
			// What the command line sends to a running Leadbell reads back
			// the same.
			back, err := ParseQuery(got.Values())
			if err != nil {
				t.Fatal(err)
			}
			if !sameOptions(back, got) {
				t.Fatalf("round trip through %q = %+v, want %+v", got.Values().Encode(), back, got)
			}
		})
	}
}

func sameOptions(a, b Options) bool {
	if !a.Since.Equal(b.Since) || !a.Until.Equal(b.Until) {
		return false
	}
	a.Since, a.Until, b.Since, b.Until = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

func TestParseQueryRefuses(t *testing.T) {
	tests := []struct{ name, query string }{
		{"format", "format=xlsx"},
		{"type", "type=EMAIL_DELIVERED"},
		{"since", "since=yesterday"},
		{"until", "until=2026-13-01"},
		{"unread", "unread=maybe"},
		{"raw", "raw=yes please"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := url.ParseQuery(tt.query)
			if _, err := ParseQuery(v); !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseQuery(%q) = %v, want ErrInvalid", tt.query, err)
			}
		})
	}
}

func TestFilename(t *testing.T) {
	now := time.Date(2026, 11, 26, 23, 59, 0, 0, time.Local)
	tests := []struct {
		o    Options
		want string
	}{
		{Options{Format: FormatCSV, Type: event.Replied}, "leadbell-replies-2026-11-26.csv"},
		{Options{Format: FormatJSON, Type: event.Replied}, "leadbell-replies-2026-11-26.json"},
		{Options{Format: FormatCSV}, "leadbell-events-2026-11-26.csv"},
		{Options{Format: FormatJSON, Type: event.Opened}, "leadbell-events-2026-11-26.json"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.o.Filename(now); got != tt.want {
				t.Errorf("Filename = %q, want %q", got, tt.want)
			}
		})
	}
}
