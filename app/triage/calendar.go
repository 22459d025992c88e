package triage

import "time"

// Windows, in days, used to resolve dates without a year or with an
// unknown order.
const (
	pastSlack    = 31  // a stale auto-reply may name a date just gone
	futureReach  = 334 // together with pastSlack, one year
	plausibleOOO = 62  // how far ahead an absence plausibly ends
)

// resolve turns s into a date at midnight in received's location, or the
// zero time when that would be a guess.
func resolve(s span, received time.Time, lang string) time.Time {
	loc := time.UTC
	var today time.Time
	if !received.IsZero() {
		loc = received.Location()
		y, m, d := received.Date()
		today = time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	switch {
	case s.isWeekday:
		if today.IsZero() {
			return time.Time{}
		}
		ahead := (int(s.weekday)-int(today.Weekday())+6)%7 + 1
		return today.AddDate(0, 0, ahead)
	case s.offset != 0:
		if today.IsZero() {
			return time.Time{}
		}
		return today.AddDate(0, 0, s.offset)
	case s.month != 0:
		return onDay(s.year, s.month, s.day, today, loc)
	}
	// A numeric date: day first when written with dots or in a language
	// that always puts the day first; otherwise whichever order gives a
	// plausible date, and nothing when both do.
	dm := onDay(s.year, s.second, s.first, today, loc)
	md := onDay(s.year, s.first, s.second, today, loc)
	switch {
	case s.dotted || (lang != "en" && lang != "" && !dm.IsZero()):
		return dm
	case dm.IsZero() || dm.Equal(md):
		return md
	case md.IsZero():
		return dm
	case today.IsZero():
		return time.Time{}
	}
	dmOK, mdOK := plausible(dm, today), plausible(md, today)
	switch {
	case dmOK && !mdOK:
		return dm
	case mdOK && !dmOK:
		return md
	}
	return time.Time{}
}

// onDay returns the date day.month.year, or, without a year, the one
// within a year around today; the zero time when there is none.
func onDay(year, month, dayOfMonth int, today time.Time, loc *time.Location) time.Time {
	if month < 1 || month > 12 || dayOfMonth < 1 || dayOfMonth > 31 {
		return time.Time{}
	}
	if year != 0 {
		if year < 100 {
			year += 2000
		}
		return validDate(year, month, dayOfMonth, loc)
	}
	if today.IsZero() {
		return time.Time{}
	}
	for y := today.Year() - 1; y <= today.Year()+1; y++ {
		t := validDate(y, month, dayOfMonth, loc)
		if !t.IsZero() && !t.Before(today.AddDate(0, 0, -pastSlack)) && t.Before(today.AddDate(0, 0, futureReach)) {
			return t
		}
	}
	return time.Time{}
}

// validDate returns the date, or the zero time for one like 31 April.
func validDate(y, m, d int, loc *time.Location) time.Time {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc)
	if t.Day() != d || int(t.Month()) != m {
		return time.Time{}
	}
	return t
}

func plausible(t, today time.Time) bool {
	return !t.Before(today.AddDate(0, 0, -1)) && !t.After(today.AddDate(0, 0, plausibleOOO))
}

// formatDay writes a return date for a salesperson: "12 January", with the
// year when it is not the year the reply came in.
func formatDay(t, received time.Time) string {
	if received.IsZero() || t.Year() != received.Year() {
		return t.Format("2 January 2006")
	}
	return t.Format("2 January")
}
