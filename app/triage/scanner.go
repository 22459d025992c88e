package triage

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
)

// A scanner runs one regular expression over a scanned text, but only
// over windows around the strings its matches need (needs.go), and
// not at all when none of them occurs. Its answers are the expression's
// on the whole text:
//
//   - Every match contains a string of each of its needs, and reaches
//     only so far before and after it, so it lies within the window grown
//     around that string (around); and that window has a string of each
//     other need.
//   - A window is cut only next to a byte that makes the assertions the
//     expression uses (^ and $ of a line, \b) hold at the window's edge
//     exactly when they hold in the whole text; so whatever matches in a
//     window matches in the text, at the same place, and the windows,
//     merged, give the same successive matches.
type scanner struct {
	re       *regexp.Regexp
	branches []scanBranch // nil: the whole text is always read
	lines    bool         // the expression asserts the start or end of a line
	words    bool         // the expression asserts word boundaries
	number   int          // in the lexicon (scanned.scanners)
}

type scanBranch struct {
	branch
	ids [][]int // the lexicon's ids of needs
}

// possible reports whether t has a string of each need of b.
func (b *scanBranch) possible(t *scanned) bool {
	for _, ids := range b.ids {
		if !slices.ContainsFunc(ids, t.contains) {
			return false
		}
	}
	return true
}

// bounded reports whether text[from:to], found as a string of the first
// need of b, can be where a match of b starts and ends: at a word
// boundary, if b asserts one there and the string is all of the match
// on that side.
func (b *scanBranch) bounded(text string, from, to int) bool {
	first := b.needs[0]
	return (!b.wordBefore || first.before != reach{} || wordBoundary(text, from)) &&
		(!b.wordAfter || first.after != reach{} || wordBoundary(text, to))
}

// wordBoundary reports whether \b holds at text[i]: a word byte on one
// side and not on the other (a byte of a multi-byte rune is none).
func wordBoundary(text string, i int) bool {
	return (i > 0 && isWordByte(text[i-1])) != (i < len(text) && isWordByte(text[i]))
}

// within reports whether window w of t has a string of each need of b
// but the first, around whose string it was grown.
func (b *scanBranch) within(t *scanned, w window) bool {
	for j := 1; j < len(b.needs); j++ {
		if !b.has(t, j, t.text[w.lo:w.hi]) {
			return false
		}
	}
	return true
}

// has reports whether part of t has a string of need j of b.
func (b *scanBranch) has(t *scanned, j int, part string) bool {
	for k, id := range b.ids[j] {
		if t.contains(id) && strings.Contains(part, b.needs[j].strs[k]) {
			return true
		}
	}
	return false
}

// newScanner compiles expr and reads what its matches need.
func newScanner(expr string) *scanner {
	sc := &scanner{re: regexp.MustCompile(expr)}
	re, err := syntax.Parse(expr, syntax.Perl) // as regexp does
	if err != nil {
		panic(err) // compiled above
	}
	bs, ok := branches(re)
	if !ok || uses(re, syntax.OpBeginText, syntax.OpEndText) {
		return sc
	}
	for _, b := range bs {
		if len(b.needs) == 0 {
			return sc
		}
		sc.branches = append(sc.branches, scanBranch{branch: b})
	}
	sc.lines = uses(re, syntax.OpBeginLine, syntax.OpEndLine)
	sc.words = uses(re, syntax.OpWordBoundary, syntax.OpNoWordBoundary)
	return sc
}

func uses(re *syntax.Regexp, ops ...syntax.Op) bool {
	return slices.Contains(ops, re.Op) || slices.ContainsFunc(re.Sub, func(sub *syntax.Regexp) bool { return uses(sub, ops...) })
}

// matches reports whether the expression matches t.
func (sc *scanner) matches(t *scanned) bool {
	ws, whole := sc.windows(t)
	if whole {
		return sc.re.MatchString(t.text)
	}
	for _, w := range ws {
		if sc.re.MatchString(t.text[w.lo:w.hi]) {
			return true
		}
	}
	return false
}

// findAll returns what FindAllStringSubmatchIndex returns for t.
func (sc *scanner) findAll(t *scanned, n int) [][]int {
	ws, whole := sc.windows(t)
	if whole {
		return sc.re.FindAllStringSubmatchIndex(t.text, n)
	}
	var out [][]int
	for _, w := range ws {
		for _, m := range sc.re.FindAllStringSubmatchIndex(t.text[w.lo:w.hi], n-len(out)) {
			for i := range m {
				if m[i] >= 0 {
					m[i] += w.lo
				}
			}
			out = append(out, m)
		}
		if len(out) == n {
			break
		}
	}
	return out
}

// A window is the stretch text[lo:hi] of a scanned text.
type window struct{ lo, hi int }

// Limits on the work of finding windows, beyond which a text is read
// whole: the windows of a string found on every other byte, or of a text
// with nowhere to cut, are not worth it.
const (
	maxWindows = 1 << 10 // windows found
	maxWalk    = 4       // bytes walked to grow them, in lengths of the text
)

// windows returns, in order and merged, the windows where a match could
// be, in t's scratch; whole is true when reading the whole text is as
// good or the only way.
func (sc *scanner) windows(t *scanned) (ws []window, whole bool) {
	if sc.branches == nil {
		return nil, true
	}
	if !t.scanners.contains(sc.number) {
		return nil, false
	}
	text := t.text
	ws = t.windows[:0]
	defer func() { t.windows = ws[:0] }()
	walked := 0
	for _, b := range sc.branches {
		if !b.possible(t) {
			continue
		}
		first := b.needs[0]
		for i, id := range b.ids[0] {
			if !t.contains(id) {
				continue
			}
			s := first.strs[i]
			for from := 0; ; {
				at := strings.Index(text[from:], s)
				if at < 0 {
					break
				}
				at += from
				from = at + 1
				if !b.bounded(text, at, at+len(s)) {
					continue
				}
				w := sc.around(text, at, at+len(s), first)
				if walked += w.hi - w.lo; walked > maxWalk*len(text) || len(ws) == maxWindows {
					return nil, true
				}
				if b.within(t, w) {
					ws = append(ws, w)
				}
			}
		}
	}
	slices.SortFunc(ws, func(a, b window) int { return a.lo - b.lo })
	merged := ws[:0]
	covered := 0
	for _, w := range ws {
		if n := len(merged); n > 0 && w.lo <= merged[n-1].hi {
			covered += max(0, w.hi-merged[n-1].hi)
			merged[n-1].hi = max(merged[n-1].hi, w.hi)
			continue
		}
		covered += w.hi - w.lo
		merged = append(merged, w)
	}
	if 2*covered > len(text) {
		return nil, true
	}
	return merged, false
}

// around returns the window where a match containing text[from:to] as
// the string of need n can lie: grown on each side as far as n reaches,
// then to the nearest cut.
func (sc *scanner) around(text string, from, to int, n need) window {
	lo, hi := from, to
	for spent := 0; lo > 0; lo-- {
		if !n.before.free.has(text[lo-1]) {
			if spent == n.before.budget {
				break
			}
			spent++
		}
	}
	for spent := 0; hi < len(text); hi++ {
		if !n.after.free.has(text[hi]) {
			if spent == n.after.budget {
				break
			}
			spent++
		}
	}
	for lo > 0 && !sc.cuts(text[lo-1]) {
		lo--
	}
	for hi < len(text) && !sc.cuts(text[hi]) {
		hi++
	}
	return window{lo, hi}
}

// cuts reports whether a window may end next to byte c. Next to an ASCII
// byte a rune begins or ends; next to a line feed, a line; next to a byte
// that is not a word character, a word. The expression cannot tell the
// window's edge from the text's edge there (neither asserts the start or
// end of the whole text).
func (sc *scanner) cuts(c byte) bool {
	switch {
	case c >= 0x80:
		return false
	case sc.lines:
		return c == '\n'
	case sc.words:
		return !isWordByte(c)
	}
	return true
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}
