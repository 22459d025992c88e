package triage

import (
	"strings"
	"time"
)

// A cue is a set of phrases that all point to one reading of a reply, and
// that reading in words a salesperson understands.
type cue struct {
	scan   *scanner
	reason string
}

// says compiles phrases into one cue. Each phrase is a regular expression
// over folded text (lower case, accents folded by foldAccents, so it may be
// written with them) and is matched as whole words. Patterns must not use
// upper-case escapes such as \S or \W.
func says(reason string, phrases ...string) cue {
	return cue{scan: newScanner(`(?m)\b(?:` + foldAccents(strings.Join(phrases, "|")) + `)\b`), reason: reason}
}

// pattern compiles one regular expression over folded text, without the
// word boundaries of says: for cues made of punctuation or whole lines.
func pattern(reason, expr string) cue {
	return cue{scan: newScanner(`(?m)` + foldAccents(expr)), reason: reason}
}

// The reasons Classify gives, shared by the languages so that a reply
// reads the same whatever language it was written in.
const (
	reasonBounce        = "looks like a delivery failure: the e-mail did not arrive"
	reasonRemove        = "asks to be removed from the list"
	reasonNoContact     = "asks not to be contacted again"
	reasonDeleteData    = "asks for their data to be deleted"
	reasonLeft          = "says they no longer work there"
	reasonNotRight      = "says they are not the right person"
	reasonPassedOn      = "says they passed the e-mail on to someone else"
	reasonAway          = "says they are out of the office"
	reasonLeave         = "says they are on leave"
	reasonHoliday       = "says they are on holiday"
	reasonTravel        = "says they are travelling"
	reasonAutomated     = "says it is an automatic message"
	reasonTicket        = "confirms receipt automatically (ticket or request number)"
	reasonUnmonitored   = "says the mailbox is not monitored"
	reasonReadReceipt   = "is a read receipt"
	reasonLater         = "asks to be contacted again later"
	reasonTiming        = "says the timing is not right"
	reasonOnHold        = "says the topic is on hold for now"
	reasonNotInterested = "says they are not interested"
	reasonHasSolution   = "says they already have a solution"
	reasonNoNeed        = "says they have no need for it"
	reasonDeclines      = "declines"
	reasonNotFit        = "says it is not a fit for them"
	reasonInterested    = "says they are interested"
	reasonMeeting       = "asks for a call or meeting"
	reasonMeetingTime   = "mentions a meeting time"
	reasonDemo          = "asks for a demo"
	reasonInfo          = "asks for more information"
	reasonPricing       = "asks about pricing"
	reasonHow           = "asks how it works or what it supports"
	reasonSource        = "asks where their address came from"
	reasonQuestion      = "asks a question"
)

// A language holds the cues of one language, one list per step of the
// order Classify tries them in (see doc.go), and the words the return
// date and referral readers need. Its fields are folded text.
type language struct {
	code string

	bounce        []cue // delivery failures: auto_reply
	unsubscribe   []cue
	wrongPerson   []cue
	outOfOffice   []cue
	automatic     []cue // other automatic replies: auto_reply
	notNow        []cue
	notInterested []cue
	interested    []cue
	question      []cue

	months   map[string]time.Month
	weekdays map[string]time.Weekday
	days     map[string]int // "tomorrow" and the like: days after Received

	returnBefore string // words before a return date: "until", "bis", "jusqu'au"
	returnAfter  string // words after one: "wieder", "de retour"
	stopwords    []string
}

// languages are tried in this order; the first cue that matches in any of
// them decides a step.
var languages = []*language{english, german, french, spanish}

// words joins alternatives into a regular expression group.
func words(alts ...string) string {
	return "(?:" + strings.Join(alts, "|") + ")"
}

// timeOfDay matches a clock time as people write it: "3pm", "3:30",
// "14 Uhr", "14h30", "a las 10", "um 10".
const timeOfDay = `(?:\b\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.|uhr|h|hs|horas)\b|\b\d{1,2}h\d{2}\b|\b\d{1,2}:\d{2}\b|\b(?:at|um|gegen|ab|vers|a las|a la|a) \d{1,2}\b|\b(?:between|zwischen|entre) \d{1,2} (?:and|und|et|y) \d{1,2}\b)`

// meetingTime is the cue of a day followed closely by a time: "Thursday
// at 3pm", "Dienstag um 10 Uhr", "jeudi à 14h", "el martes a las 11".
func meetingTime(days string) cue {
	return pattern(reasonMeetingTime, `\b`+days+`\b[^.!?\n]{0,30}?`+timeOfDay)
}

// questionMark is the last resort of the question step, after the
// specific question cues of every language.
var questionMark = pattern(reasonQuestion, `[?¿]`)

// stopwordLangs maps a folded common word to the languages it is common in.
var stopwordLangs = func() map[string][]string {
	m := map[string][]string{}
	for _, l := range languages {
		for _, w := range l.stopwords {
			m[fold(w)] = append(m[fold(w)], l.code)
		}
	}
	return m
}()

// guessLang returns the code of the language whose common words text uses
// most, or "" when none stands out.
func guessLang(folded string) string {
	counts := map[string]int{}
	for _, w := range strings.FieldsFunc(folded, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r == '\'')
	}) {
		for _, code := range stopwordLangs[w] {
			counts[code]++
		}
	}
	best, n, tie := "", 0, false
	for _, l := range languages {
		switch c := counts[l.code]; {
		case c > n:
			best, n, tie = l.code, c, false
		case c == n && c > 0:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}
