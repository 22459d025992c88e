package triage

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Return dates are read from folded text in two passes: every date-like
// span is found (findSpans), then the first one that a return word
// stands next to ("until", "bis", "jusqu'au", "hasta", "back", "wieder")
// in the same sentence is resolved against Received. A span no such word
// touches is not a return date: "out from 22 December" names the start.
// Explicit dates win over weekdays. Anything that cannot be resolved
// without guessing yields no date.

// A span is a date-like piece of folded text.
type span struct {
	start, end int
	day, month int // a calendar date; month 0 for the other kinds
	year       int // 0 when the text gives none
	first      int // numeric "a/b" dates: a and b, the order unknown
	second     int
	dotted     bool // numeric with dots: day first, as in German
	weekday    time.Weekday
	isWeekday  bool
	offset     int // "tomorrow": days after Received; 0 for the other kinds
}

func (s span) calendar() bool { return s.month != 0 || s.first != 0 }

// The words of dates in every language, folded.
var (
	monthByName   = byName(func(l *language) map[string]time.Month { return l.months })
	weekdayByName = byName(func(l *language) map[string]time.Weekday { return l.weekdays })
	offsetByName  = byName(func(l *language) map[string]int { return l.days })
)

// The expressions that find spans, built from the words of every
// language.
var (
	dmyDate     = newScanner(`\b(\d{1,2})(?:st|nd|rd|th|er|\.|º)?\s*(?:of\s+|de\s+)?` + alternation(monthByName) + `\b\.?(?:,?\s*(?:de\s+|del\s+)?(\d{4})\b)?`)
	mdyDate     = newScanner(`\b` + alternation(monthByName) + `\b\.?\s*(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(\d{4})\b)?`)
	numericDate = newScanner(`\b(\d{1,2})([./-])(\d{1,2})(?:[./-](\d{4}|\d{2}))?\b`)
	isoDate     = newScanner(`\b(\d{4})-(\d{1,2})-(\d{1,2})\b`)
	weekdayWord = newScanner(`\b` + alternation(weekdayByName) + `\b`)
	offsetWord  = newScanner(`\b` + alternation(offsetByName) + `\b`)

	dateScanners = []*scanner{dmyDate, mdyDate, numericDate, isoDate, weekdayWord, offsetWord}
)

// The return words before and after a date, of every language.
var returnBefore, returnAfter = returnWords()

// rangeEnd matches the end of "from the 3rd to", "del 3 al", "vom 3. bis",
// "22.12.-": the date that follows ends the absence.
var rangeEnd = regexp.MustCompile(`\d(?:st|nd|rd|th|er|\.)?\s*(?:[a-z]+\.?\s*)?(?:-|to|au|al|a|bis|hasta|until|till)\s*$`)

// byName merges a vocabulary of every language, folded; a later language
// wins a word two share.
func byName[V any](vocabulary func(*language) map[string]V) map[string]V {
	m := map[string]V{}
	for _, l := range languages {
		for name, v := range vocabulary(l) {
			m[foldAccents(name)] = v
		}
	}
	return m
}

// returnWords builds the expressions of the return words of every
// language, before a date and after one (none when no language has any).
func returnWords() (before, after *regexp.Regexp) {
	var b, a []string
	for _, l := range languages {
		b = append(b, foldAccents(l.returnBefore))
		if l.returnAfter != "" {
			a = append(a, foldAccents(l.returnAfter))
		}
	}
	before = regexp.MustCompile(`\b(?:` + strings.Join(b, "|") + `)\b`)
	if len(a) > 0 {
		after = regexp.MustCompile(`\b(?:` + strings.Join(a, "|") + `)\b`)
	}
	return before, after
}

// alternation makes a capturing group of the keys of m, longest first so
// that "january" is preferred to "jan".
func alternation[V any](m map[string]V) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, regexp.QuoteMeta(k))
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a, b))
	})
	return "(" + strings.Join(keys, "|") + ")"
}

// maxSpans bounds the spans read from one text.
const maxSpans = 64

// findSpans returns the date-like spans of t, in order, without overlaps
// (the earlier, then the longer, wins).
func findSpans(t *scanned) []span {
	text := t.text
	var all []span
	for _, m := range dmyDate.findAll(t, maxSpans) {
		all = append(all, span{start: m[0], end: m[1], day: atoi(text, m, 1), month: int(monthByName[group(text, m, 2)]), year: atoi(text, m, 3)})
	}
	for _, m := range mdyDate.findAll(t, maxSpans) {
		all = append(all, span{start: m[0], end: m[1], month: int(monthByName[group(text, m, 1)]), day: atoi(text, m, 2), year: atoi(text, m, 3)})
	}
	for _, m := range isoDate.findAll(t, maxSpans) {
		all = append(all, span{start: m[0], end: m[1], year: atoi(text, m, 1), month: atoi(text, m, 2), day: atoi(text, m, 3)})
	}
	for _, m := range numericDate.findAll(t, maxSpans) {
		all = append(all, span{start: m[0], end: m[1], first: atoi(text, m, 1), second: atoi(text, m, 3), dotted: group(text, m, 2) == ".", year: atoi(text, m, 4)})
	}
	for _, m := range weekdayWord.findAll(t, maxSpans) {
		all = append(all, span{start: m[0], end: m[1], weekday: weekdayByName[group(text, m, 1)], isWeekday: true})
	}
	for _, m := range offsetWord.findAll(t, maxSpans) {
		all = append(all, span{start: m[0], end: m[1], offset: offsetByName[group(text, m, 1)]})
	}
	slices.SortFunc(all, func(a, b span) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(b.end, a.end))
	})
	var out []span
	for _, s := range all {
		if len(out) > 0 && s.start < out[len(out)-1].end {
			continue
		}
		out = append(out, s)
	}
	return out
}

// returnDate finds the date the lead says they are back, resolved against
// received, or the zero time. lang is the language the text seems to be
// in; it decides whether "12/01" is day first.
func returnDate(t *scanned, received time.Time, lang string) time.Time {
	folded := t.text
	spans := findSpans(t)
	// Explicit dates before weekdays; a word before the date ("until",
	// "bis") before one after it ("ab dem 2. März wieder"), which is
	// less sure: "absent à partir du 18 décembre et de retour le 4
	// janvier" has a return word after the start of the absence too.
	for _, pass := range []struct{ calendar, before bool }{{true, true}, {true, false}, {false, true}, {false, false}} {
		for i, s := range spans {
			if s.calendar() != pass.calendar {
				continue
			}
			next := len(folded)
			if i+1 < len(spans) {
				next = spans[i+1].start
			}
			if !returnCue(folded, s, next, pass.before) {
				continue
			}
			if t := resolve(s, received, lang); !t.IsZero() {
				return t
			}
		}
	}
	return time.Time{}
}

// returnCue reports whether a return word stands before s or, when before
// is false, after it before the next span; in the same sentence.
func returnCue(text string, s span, next int, before bool) bool {
	if before {
		tail := sentenceTail(text[max(0, s.start-50):s.start])
		return returnBefore.MatchString(tail) || rangeEnd.MatchString(tail)
	}
	head := sentenceHead(text[s.end:min(next, s.end+30)])
	return returnAfter != nil && returnAfter.MatchString(head)
}

// sentenceTail returns the part of s after its last sentence end. A full
// stop after a digit is part of a date ("22.12. bis"), not an end.
func sentenceTail(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '\n' || isStop(s, i) {
			return s[i+1:]
		}
	}
	return s
}

// sentenceHead returns the part of s before its first sentence end.
func sentenceHead(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || isStop(s, i) {
			return s[:i]
		}
	}
	return s
}

func isStop(s string, i int) bool {
	switch s[i] {
	case '!', '?':
		return true
	case '.':
		return i+1 < len(s) && s[i+1] == ' ' && (i == 0 || s[i-1] < '0' || s[i-1] > '9')
	}
	return false
}

// group returns submatch i of m in text, or "".
func group(text string, m []int, i int) string {
	if 2*i+1 >= len(m) || m[2*i] < 0 {
		return ""
	}
	return text[m[2*i]:m[2*i+1]]
}

// atoi returns submatch i of m as a number, or 0.
func atoi(text string, m []int, i int) int {
	g := group(text, m, i)
	if g == "" {
		return 0 // without asking Atoi, whose error would be made for nothing
	}
	n, err := strconv.Atoi(g)
	if err != nil {
		return 0
	}
	return n
}
