package smartlead

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// parseTime reads the timestamp formats SmartLead is seen to send: RFC 3339
// with or without fractional seconds, "2006-01-02 15:04:05" (UTC), and unix
// seconds or milliseconds. The result is in UTC; the zero time means the
// text could not be read.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	var t time.Time
	if c := s[0]; c >= '0' && c <= '9' && !strings.ContainsAny(s, "-:T ") {
		t = parseUnix(s)
	} else {
		for _, layout := range timeLayouts {
			if p, err := time.Parse(layout, s); err == nil {
				t = p
				break
			}
		}
	}
	t = t.UTC()
	if y := t.Year(); y < 1 || y > 9999 {
		return time.Time{} // JSON cannot carry it
	}
	return t
}

// timeLayouts are tried in order; time.Parse accepts fractional seconds
// after the seconds field even when a layout does not show them. Layouts
// without a zone are UTC.
var timeLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05",
	time.RFC1123Z,
	time.RFC1123,
}

// parseUnix reads unix seconds or milliseconds (with an optional fraction).
// Values from 1e11 on are taken as milliseconds: 1e11 seconds is the year
// 5138, while 1e11 milliseconds is 1973.
func parseUnix(s string) time.Time {
	const msFrom = 1e11
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n >= msFrom {
			return time.UnixMilli(n)
		}
		return time.Unix(n, 0)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f < 0 || f >= 1e15 {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	// The fraction is rounded to the microsecond, so that 1705314600.123 is
	// .123 and not .122999906.
	if f >= msFrom {
		return time.UnixMilli(int64(sec)).Add(time.Duration(math.Round(frac*1e3)) * time.Microsecond)
	}
	return time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3)
}
