package export

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
)

// ErrInvalid is returned by ParseQuery for an option it cannot read; the
// message says which, in words fit for the user.
var ErrInvalid = errors.New("export: invalid option")

// Format is the file format of an export.
type Format string

// The formats. CSV opens in a spreadsheet; JSON is one array of events.
const (
	FormatCSV  Format = "csv"
	FormatJSON Format = "json"
)

// Options selects and shapes an export. Empty fields do not filter.
type Options struct {
	Format Format
	// Type keeps events of this type; empty keeps every type.
	Type     event.Type
	Campaign string
	Lead     string
	// Text keeps events containing every word of it (see store.Query).
	Text   string
	Unread bool
	// Since keeps events at or after it, Until events before it (by
	// Event.When); zero does not bound.
	Since, Until time.Time
	// Raw adds each event's payload as received (JSON only; CSV has no
	// raw column).
	Raw bool
}

// ParseQuery reads the options of GET /api/export, which are also what
// leadbell export's flags become:
//
//	format   csv (default) or json
//	type     all (default), replies, or an event type: EMAIL_OPENED, bounce, OTHER...
//	campaign, lead, q, unread   as in GET /api/events
//	since    a date (2026-11-01, from its start) or an RFC 3339 time
//	until    a date (through its end) or an RFC 3339 time (before it)
//	raw      1 or true: the payload as received in each JSON element
//
// Dates are in the local time zone. A value it cannot read fails with
// ErrInvalid.
func ParseQuery(v url.Values) (Options, error) {
	o := Options{Campaign: v.Get("campaign"), Lead: v.Get("lead"), Text: v.Get("q")}
	switch f := strings.ToLower(v.Get("format")); f {
	case "", "csv":
		o.Format = FormatCSV
	case "json":
		o.Format = FormatJSON
	default:
		return o, fmt.Errorf("%w: format must be csv or json, not %q", ErrInvalid, f)
	}
	var err error
	if o.Type, err = ParseType(v.Get("type")); err != nil {
		return o, err
	}
	if o.Since, err = parseBound(v.Get("since"), false); err != nil {
		return o, fmt.Errorf("%w: since %v", ErrInvalid, err)
	}
	if o.Until, err = parseBound(v.Get("until"), true); err != nil {
		return o, fmt.Errorf("%w: until %v", ErrInvalid, err)
	}
	if o.Unread, err = parseFlag(v.Get("unread")); err != nil {
		return o, fmt.Errorf("%w: unread must be true or false", ErrInvalid)
	}
	if o.Raw, err = parseFlag(v.Get("raw")); err != nil {
		return o, fmt.Errorf("%w: raw must be 1 or 0", ErrInvalid)
	}
	return o, nil
}

// ParseType reads an event type as people write it: "" or "all" for every
// type, "replies", a spec or live name (EMAIL_REPLIED, EMAIL_REPLY), a short
// one (reply, open), or OTHER. An unknown name fails with ErrInvalid.
func ParseType(name string) (event.Type, error) {
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "", "ALL":
		return "", nil
	case "REPLIES":
		return event.Replied, nil
	case string(event.Other):
		return event.Other, nil
	}
	t, ok := smartlead.ParseEventType(name)
	if !ok {
		return "", fmt.Errorf("%w: unknown event type %q (all, replies, or one such as EMAIL_OPENED)", ErrInvalid, name)
	}
	return t, nil
}

// parseBound reads a date or an RFC 3339 time. A date is the start of that
// day, or with end the start of the next, so that until=D includes D.
func parseBound(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("must be a date (2006-01-02) or an RFC 3339 time, not %q", s)
	}
	return t, nil
}

func parseFlag(s string) (bool, error) {
	if s == "" {
		return false, nil
	}
	return strconv.ParseBool(s)
}

// Values is the query string of o for GET /api/export: ParseQuery reads it
// back to o. Times go as exact RFC 3339 times, so the server's time zone
// does not matter.
func (o Options) Values() url.Values {
	v := url.Values{}
	v.Set("format", string(o.Format))
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("type", string(o.Type))
	set("campaign", o.Campaign)
	set("lead", o.Lead)
	set("q", o.Text)
	if !o.Since.IsZero() {
		v.Set("since", o.Since.Format(time.RFC3339Nano))
	}
	if !o.Until.IsZero() {
		v.Set("until", o.Until.Format(time.RFC3339Nano))
	}
	if o.Unread {
		v.Set("unread", "true")
	}
	if o.Raw {
		v.Set("raw", "1")
	}
	return v
}

// Filename is the name an export made on day now is saved under, such as
// leadbell-replies-2026-11-26.csv (leadbell-events-... for other types).
func (o Options) Filename(now time.Time) string {
	what := "events"
	if o.Type == event.Replied {
		what = "replies"
	}
	ext := "csv"
	if o.Format == FormatJSON {
		ext = "json"
	}
	return fmt.Sprintf("leadbell-%s-%s.%s", what, now.Format(time.DateOnly), ext)
}

// ContentType is the media type of o's format.
func (o Options) ContentType() string {
	if o.Format == FormatJSON {
		return "application/json; charset=utf-8"
	}
	return "text/csv; charset=utf-8"
}
