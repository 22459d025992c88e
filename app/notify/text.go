package notify

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/leadbell/leadbell/app/smartlead"
)

// Lengths, in runes, of the pieces of a notification. Pop-ups show two or
// three lines; anything longer is cut by the server at a place we do not
// choose, so we cut first, on a word.
const (
	excerptLen = 120 // the reply or bounce text in a body
	nameLen    = 60  // a lead's name, a company, a subject in a title
)

// excerpt makes the text of a reply or a bounce fit for a pop-up: markup
// removed, the quoted earlier mail dropped, then one line of plain text of at
// most max runes.
func excerpt(s string, max int) string {
	s = smartlead.PlainText(s)
	if own := dropQuoted(s); strings.TrimSpace(own) != "" {
		s = own
	}
	return cut(oneLine(s), max)
}

// line makes a short field (a name, a company, a subject, a link) fit for a
// title or a body: no markup, one line, at most max runes.
func line(s string, max int) string {
	return cut(oneLine(smartlead.PlainText(s)), max)
}

// quoteHeader is the line mail clients put above the message being replied
// to ("On Mon, Mar 4, 2024 at 10:15 AM Tom <tom@example.com> wrote:"); it is
// sometimes wrapped over two lines.
var quoteHeader = regexp.MustCompile(`(?is)^\s*On\s.*\bwrote:\s*$`)

// dropQuoted returns the part of a reply its sender wrote: it stops at the
// quote header or an Outlook separator, and skips lines quoted with ">".
func dropQuoted(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	var own []string
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if quoteHeader.MatchString(t) || strings.Contains(t, "-----Original Message-----") ||
			(len(t) >= 10 && strings.Trim(t, "_") == "") {
			break
		}
		if strings.HasPrefix(t, "On ") && i+1 < len(lines) && quoteHeader.MatchString(t+" "+strings.TrimSpace(lines[i+1])) {
			break
		}
		if strings.HasPrefix(t, ">") {
			continue
		}
		own = append(own, l)
	}
	return strings.Join(own, "\n")
}

// oneLine makes s a single line of plain text that is safe to hand to a
// notification server: invalid UTF-8, control characters (NUL, escapes),
// bidirectional overrides and invisible characters are removed, and every
// run of white space becomes one space. Bidi overrides are dropped because
// they let a stranger's text reorder what is shown around it.
func oneLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i, r := range s {
		switch {
		case r == utf8.RuneError && isInvalid(s[i:]):
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r) || invisible(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isInvalid reports whether s starts with a byte that is not valid UTF-8.
func isInvalid(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return r == utf8.RuneError && n <= 1
}

// invisible reports characters that change how text is shown without
// showing anything: bidi marks, embeddings, overrides and isolates,
// zero-width spaces, and the noncharacters older D-Bus daemons refuse.
// The zero-width joiner stays: emoji sequences need it.
func invisible(r rune) bool {
	switch {
	case r == '\u061c', r == '\u200e', r == '\u200f', // bidi marks
		r >= '\u202a' && r <= '\u202e', // embeddings and overrides
		r >= '\u2066' && r <= '\u2069', // isolates
		r == '\u200b', r == '\u2060', r == '\ufeff', r == '\u180e', r == '\u00ad':
		return true
	case r >= '\ufdd0' && r <= '\ufdef', r&0xfffe == 0xfffe:
		return true
	case r == utf8.RuneError: // what broken bytes became upstream
		return true
	}
	return false
}

// cut shortens s to at most max runes, "…" included. It cuts after the last
// whole word when one ends in the second half of the limit, else inside a
// word but always between runes.
func cut(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max] // r[max-1] gives way to "…"
	end := max - 1
	if r[end] != ' ' {
		if sp := lastSpace(r[:end]); sp >= max/2 {
			end = sp
		}
	}
	head := strings.TrimRight(string(r[:end]), " ,;:-–—")
	return head + "…"
}

func lastSpace(r []rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == ' ' {
			return i
		}
	}
	return -1
}
