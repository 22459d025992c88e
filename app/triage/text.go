package triage

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what Classify reads. A reply is written by a stranger and can
// be any size; what a lead writes themselves fits well inside these.
const (
	maxBody    = 20 << 10 // bytes of the body considered
	maxSubject = 1 << 10  // bytes of the subject considered
	maxHeader  = 256      // bytes of one header value considered
)

// lead is what the lead wrote: the subject's own words and the body
// without quoted messages, signatures and disclaimers.
type lead struct {
	text   string // as written, for names in referrals
	folded string // lower case, accents folded: what cues match
}

// readLead extracts the lead's own words from r.
func readLead(r Reply) lead {
	text := strings.TrimSpace(ownText(capText(r.Body, maxBody)))
	if s := ownSubject(capText(r.Subject, maxSubject)); s != "" {
		text = s + "\n" + text
	}
	text = strings.TrimSpace(text)
	return lead{text: text, folded: dropQueries(fold(text))}
}

// capText cuts s to at most n bytes, on a rune boundary, with line endings
// made \n.
func capText(s string, n int) string {
	if len(s) > n {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n]
	}
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return s
}

// replyPrefix finds the "Re:"-style prefixes mail clients put before a
// subject they answer or forward, in the four languages and a few more.
var replyPrefix = regexp.MustCompile(`(?i)\b(?:re|aw|antw|wg|fw|fwd|tr|rv|sv|vs|res|rif|enc)\s?(?:\[\d+\])?\s?:`)

// ownSubject returns the part of a subject the lead's side wrote: the words
// before the first reply prefix. "Re: Quick question" is the salesperson's
// subject and says nothing about the lead; "Automatic reply: Re: ..." or
// "Unsubscribe" does.
func ownSubject(s string) string {
	if loc := replyPrefix.FindStringIndex(s); loc != nil {
		s = s[:loc[0]]
	}
	return strings.TrimSpace(s)
}

// urlQuery matches the query of a link, whose "?" is not a question.
var urlQuery = regexp.MustCompile(`(https?://[^\s?]*)\?\S*`)

func dropQueries(s string) string {
	if !strings.Contains(s, "?") || !strings.Contains(s, "http") {
		return s
	}
	return urlQuery.ReplaceAllString(s, "$1")
}

// foldRune maps the letters of German, French and Spanish to plain ASCII,
// and typographic punctuation to its plain form, so that one cue matches
// "zurück" and "zurueck", "réunion" and "reunion", "don’t" and "don't".
var foldRune = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'å': "a", 'ä': "ae", 'æ': "ae",
	'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ñ': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ø': "o", 'ö': "oe", 'œ': "oe",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "ue", 'ý': "y", 'ÿ': "y", 'ß': "ss",
	'’': "'", '‘': "'", '‛': "'", '`': "'", '´': "'",
	'“': `"`, '”': `"`, '„': `"`, '«': `"`, '»': `"`,
	'–': "-", '—': "-", '‑': "-", '\u00a0': " ", '\u202f': " ",
}

// fold lower-cases s and folds its accents (foldRune).
func fold(s string) string {
	if !needsFold(s) {
		return s
	}
	return string(appendFold(make([]byte, 0, len(s)), s, nil))
}

// needsFold reports whether fold would change s.
func needsFold(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c >= 'A' && c <= 'Z' || c == '`' {
			return true
		}
	}
	return false
}

// foldIndex folds s and also returns where each byte of the result came
// from in s (one entry more, for the end), so that a cue found in folded
// text can be read back as written.
func foldIndex(s string) (string, []int) {
	from := make([]int, 0, len(s)+1)
	folded := appendFold(make([]byte, 0, len(s)), s, &from)
	return string(folded), append(from, len(s))
}

// appendFold appends s folded to dst and, when from is not nil, appends
// to it where each byte appended came from in s.
func appendFold(dst []byte, s string, from *[]int) []byte {
	for i, r := range s {
		n := len(dst)
		if r < rune(len(foldLatin1)) {
			dst = append(dst, foldLatin1[r]...)
		} else {
			dst = appendFoldedRune(dst, r)
		}
		for ; from != nil && n < len(dst); n++ {
			*from = append(*from, i)
		}
	}
	return dst
}

// appendFoldedRune appends r lower-cased and folded (foldRune).
func appendFoldedRune(dst []byte, r rune) []byte {
	lower := unicode.ToLower(r)
	if f, ok := foldRune[lower]; ok {
		return append(dst, f...)
	}
	return utf8.AppendRune(dst, lower)
}

// foldLatin1 holds the runes up to U+00FF folded, the most folded, so
// that they are looked up once.
var foldLatin1 = func() (folded [256]string) {
	for r := range rune(len(folded)) {
		folded[r] = string(appendFoldedRune(nil, r))
	}
	return folded
}()

// foldAccents folds accents without changing case; cue patterns go through
// it so they can be written with their accents ("zurück", "réunion").
func foldAccents(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if f, ok := foldRune[r]; ok {
			b.WriteString(f)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
