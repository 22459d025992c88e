package triage

import (
	"regexp/syntax"
	"slices"
	"strings"
)

// Go's regular expressions take time linear in the text, but with a large
// factor for an alternation of many phrases: every position of the text
// starts every phrase. Most phrases cannot match most texts, and a
// phrase's syntax says why: "no longer (with|at|works?)" needs "no
// longer" somewhere in the text, and a match of it lies within a few
// bytes of that. This file and shapes.go read such needs out of the
// syntax of a regular expression; scanner.go uses them to run the
// expression only where a match could be, with the same result.

// maxStrings bounds the sets of strings worked with: a part of a pattern
// matching more strings than this is described by what it needs instead.
const maxStrings = 32

// A reach bounds a stretch of a match: it has at most budget bytes that
// are not in free. Bytes matched by an unbounded repeat (x*, x+, x{2,})
// are free; the others count.
type reach struct {
	budget int
	free   byteSet
}

func (r reach) then(s reach) reach { r.budget += s.budget; r.free.union(s.free); return r }
func (r reach) or(s reach) reach   { r.budget = max(r.budget, s.budget); r.free.union(s.free); return r }
func (r reach) times(n int) reach  { r.budget *= n; return r }
func (r reach) String() string     { return strings.Repeat(".", min(r.budget, 40)) }

// unbounded is the reach of an unbounded repeat of bytes free.
func unbounded(free byteSet) reach { return reach{free: free} }

// A need is a set of strings of which every match contains one, and how
// far a match reaches before and after it.
type need struct {
	strs          []string
	before, after reach
}

// A branch is one alternative of a regular expression, with what its
// matches need.
type branch struct {
	needs []need
	// A word boundary is asserted where a match starts, or ends: a
	// needed string a match starts or ends with is found only there.
	wordBefore, wordAfter bool
}

// branches splits a regular expression into its top-level alternatives
// ("\b(?:a|b|c)\b" into a, b and c; the assertions around them take no
// bytes) and describes each (shapes.go). ok is false when the expression
// folds case, which the strings needed do not.
func branches(re *syntax.Regexp) (bs []branch, ok bool) {
	if foldsCase(re) {
		return nil, false
	}
	alts, wordBefore, wordAfter := alternatives(re)
	for _, alt := range alts {
		bs = append(bs, branch{needs: shapeOf(alt).needs, wordBefore: wordBefore, wordAfter: wordAfter})
	}
	return bs, true
}

// alternatives returns the top-level alternatives of re, looking through
// groups and the assertions around an alternation, and whether those
// assert a word boundary before and after it.
func alternatives(re *syntax.Regexp) (alts []*syntax.Regexp, wordBefore, wordAfter bool) {
	switch re.Op {
	case syntax.OpCapture:
		return alternatives(re.Sub[0])
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			subAlts, _, _ := alternatives(sub)
			alts = append(alts, subAlts...)
		}
		return alts, false, false
	case syntax.OpConcat:
		inner := -1
		for i, sub := range re.Sub {
			if !emptyWidth(sub) {
				if inner >= 0 {
					return []*syntax.Regexp{re}, false, false
				}
				inner = i
			}
		}
		if inner >= 0 {
			alts, _, _ := alternatives(re.Sub[inner])
			isBoundary := func(sub *syntax.Regexp) bool { return sub.Op == syntax.OpWordBoundary }
			return alts, slices.ContainsFunc(re.Sub[:inner], isBoundary), slices.ContainsFunc(re.Sub[inner+1:], isBoundary)
		}
	}
	return []*syntax.Regexp{re}, false, false
}

func emptyWidth(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	return false
}

func foldsCase(re *syntax.Regexp) bool {
	if re.Flags&syntax.FoldCase != 0 && (re.Op == syntax.OpLiteral || re.Op == syntax.OpCharClass) {
		return true
	}
	return slices.ContainsFunc(re.Sub, foldsCase)
}

// better orders needs: first one whose shortest string is long enough to
// be rare in a text, then one of fewer bytes.
func better(a, b need) int {
	if d := min(shortest(b.strs), rareLen) - min(shortest(a.strs), rareLen); d != 0 {
		return d
	}
	return size(a.strs) - size(b.strs)
}

// rareLen is the length from which a string is rare enough in a text to
// look for it.
const rareLen = 8

func shortest(strs []string) int {
	return len(slices.MinFunc(strs, byLen))
}

func size(strs []string) int {
	n := 0
	for _, s := range strs {
		n += len(s)
	}
	return n
}

// String lists a branch's needs, for tests.
func (b branch) String() string {
	var parts []string
	for _, n := range b.needs {
		parts = append(parts, n.before.String()+"{"+strings.Join(n.strs, ",")+"}"+n.after.String())
	}
	return strings.Join(parts, " ")
}
