package triage

import (
	"regexp/syntax"
	"slices"
	"unicode/utf8"
)

// Reading what the matches of a regular expression need, from the
// bottom of its syntax tree up: a literal needs itself, a sequence what
// any of its parts needs, an alternation what all of its alternatives
// need, joined (needs.go).

func exactReach(strs []string) reach {
	if len(strs) == 0 {
		return reach{}
	}
	return reach{budget: len(slices.MaxFunc(strs, byLen))}
}

func byLen(a, b string) int { return len(a) - len(b) }

// A shape is what the syntax of (a part of) a regular expression says
// about the strings it matches.
type shape struct {
	finite bool     // strs is every string it matches
	strs   []string // when finite
	needs  []need   // best first (see better)
	reach  reach    // of a whole match
}

// shapeOf describes re; see shape.
func shapeOf(re *syntax.Regexp) shape {
	switch re.Op {
	case syntax.OpLiteral:
		if slices.Contains(re.Rune, utf8.RuneError) { // also matches an invalid byte
			return shape{reach: reach{budget: utf8.UTFMax * len(re.Rune)}}
		}
		return exactly(string(re.Rune))
	case syntax.OpCharClass:
		return classShape(re.Rune)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return shape{reach: reach{budget: utf8.UTFMax}}
	case syntax.OpCapture:
		return shapeOf(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		return repeatShape(re)
	case syntax.OpConcat:
		return concatShape(re.Sub)
	case syntax.OpAlternate:
		return alternateShape(re.Sub)
	}
	if emptyWidth(re) {
		return exactly("")
	}
	return shape{} // OpNoMatch: nothing is known, which is safe
}

// exactly is the shape of strs and nothing else.
func exactly(strs ...string) shape {
	s := shape{finite: true, strs: strs, reach: exactReach(strs)}
	if !slices.Contains(strs, "") {
		s.needs = []need{{strs: strs}}
	}
	return s
}

func classShape(ranges []rune) shape {
	n, width := 0, 1
	for i := 0; i < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		n += int(hi-lo) + 1
		width = max(width, runeWidth(hi))
		// U+FFFD also matches an invalid byte, which no string spells.
		if lo <= utf8.RuneError && hi >= utf8.RuneError || lo <= 0xDFFF && hi >= 0xD800 {
			n = maxStrings + 1
		}
	}
	if n > maxStrings {
		return shape{reach: reach{budget: width}}
	}
	var strs []string
	for i := 0; i < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			strs = append(strs, string(r))
		}
	}
	return exactly(strs...)
}

// runeWidth is the most bytes a rune up to r takes in UTF-8.
func runeWidth(r rune) int {
	switch {
	case r < 0x80:
		return 1
	case r < 0x800:
		return 2
	case r < 0x10000:
		return 3
	}
	return utf8.UTFMax
}

func repeatShape(re *syntax.Regexp) shape {
	sub := shapeOf(re.Sub[0])
	lo, hi := 0, -1
	switch re.Op {
	case syntax.OpPlus:
		lo = 1
	case syntax.OpQuest:
		hi = 1
	case syntax.OpRepeat:
		lo, hi = re.Min, re.Max
	}
	if hi >= 0 && sub.finite {
		var strs []string
		power, ok := []string{""}, true
		for k := 0; k <= hi && ok; k++ {
			if k >= lo {
				strs = union(strs, power)
			}
			power, ok = product(power, sub.strs)
		}
		if ok && len(strs) <= maxStrings {
			return exactly(strs...)
		}
	}
	// A needed string is in one copy; the others are before or after it.
	s := shape{reach: unbounded(bytesOf(re.Sub[0]))}
	others := s.reach
	if hi >= 0 {
		s.reach, others = sub.reach.times(hi), sub.reach.times(max(hi-1, 0))
	}
	if lo > 0 {
		for _, n := range sub.needs {
			s.needs = append(s.needs, need{strs: n.strs, before: n.before.then(others), after: n.after.then(others)})
		}
	}
	return s
}

func concatShape(subs []*syntax.Regexp) shape {
	shapes := make([]shape, len(subs))
	after := make([]reach, len(subs)+1) // after[i]: of subs[i:]
	for i := len(subs) - 1; i >= 0; i-- {
		shapes[i] = shapeOf(subs[i])
		after[i] = shapes[i].reach.then(after[i+1])
	}
	s := shape{finite: true, reach: after[0]}
	var before reach    // of subs[:i]
	run := []string{""} // the strings of subs[start:i], all finite
	var runBefore reach // of subs[:start]
	flush := func(i int) {
		if !slices.Contains(run, "") {
			s.needs = append(s.needs, need{strs: run, before: runBefore, after: after[i]})
		}
		run, runBefore = []string{""}, before
	}
	for i, sub := range shapes {
		for _, n := range sub.needs {
			s.needs = append(s.needs, need{strs: n.strs, before: before.then(n.before), after: n.after.then(after[i+1])})
		}
		if !sub.finite {
			s.finite = false
			flush(i)
		} else if p, ok := product(run, sub.strs); ok {
			run = p
		} else {
			s.finite = false
			flush(i)
			run = sub.strs
		}
		before = before.then(sub.reach)
		if !sub.finite {
			runBefore = before
		}
	}
	if s.finite {
		return exactly(run...)
	}
	flush(len(shapes))
	slices.SortStableFunc(s.needs, better)
	s.needs = slices.CompactFunc(s.needs, func(a, b need) bool { return slices.Equal(a.strs, b.strs) })
	return s
}

func alternateShape(subs []*syntax.Regexp) shape {
	shapes := make([]shape, len(subs))
	s := shape{finite: true}
	for i, re := range subs {
		shapes[i] = shapeOf(re)
		s.reach = s.reach.or(shapes[i].reach)
		if shapes[i].finite {
			s.strs = union(s.strs, shapes[i].strs)
		} else {
			s.finite = false
		}
	}
	if s.finite && len(s.strs) <= maxStrings {
		return exactly(s.strs...)
	}
	s.finite, s.strs = false, nil
	// The best need of every alternative, joined; then any need of the
	// first alternative that every other one needs too, or a part of it:
	// "\d{1,2}h\d{2}|at \d{1,2}" needs a digit.
	candidates := [][]string{nil}
	for _, n := range shapes[0].needs {
		candidates = append(candidates, n.strs)
	}
	for _, set := range candidates {
		if joined, ok := joinNeeds(shapes, set); ok && !slices.ContainsFunc(s.needs, func(n need) bool { return slices.Equal(n.strs, joined.strs) }) {
			s.needs = append(s.needs, joined)
		}
	}
	slices.SortStableFunc(s.needs, better)
	return s
}

// joinNeeds returns the need of an alternation whose alternatives each
// need a subset of set (or, with set nil, anything), joined.
func joinNeeds(alternatives []shape, set []string) (need, bool) {
	var joined need
	for _, sub := range alternatives {
		i := slices.IndexFunc(sub.needs, func(n need) bool {
			return set == nil || !slices.ContainsFunc(n.strs, func(s string) bool { return !slices.Contains(set, s) })
		})
		if i < 0 {
			return need{}, false
		}
		part := sub.needs[i]
		joined.strs = union(joined.strs, part.strs)
		joined.before, joined.after = joined.before.or(part.before), joined.after.or(part.after)
	}
	return joined, true
}

// product returns every string of a followed by one of b, or false when
// they would be more than maxStrings.
func product(a, b []string) ([]string, bool) {
	if len(a)*len(b) > maxStrings {
		return nil, false
	}
	var out []string
	for _, x := range a {
		for _, y := range b {
			out = union(out, []string{x + y})
		}
	}
	return out, true
}

func union(a, b []string) []string {
	for _, s := range b {
		if !slices.Contains(a, s) {
			a = append(a, s)
		}
	}
	return a
}

// bytesOf returns every byte a match of re can contain.
func bytesOf(re *syntax.Regexp) byteSet {
	var s byteSet
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			s.addRange(r, r)
		}
	case syntax.OpCharClass:
		for i := 0; i < len(re.Rune); i += 2 {
			s.addRange(re.Rune[i], re.Rune[i+1])
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		s.addRange(0, utf8.MaxRune)
	}
	for _, sub := range re.Sub {
		s.union(bytesOf(sub))
	}
	return s
}

// A byteSet is a set of bytes.
type byteSet [4]uint64

func (s *byteSet) add(b byte)      { s[b/64] |= 1 << (b % 64) }
func (s *byteSet) has(b byte) bool { return s[b/64]&(1<<(b%64)) != 0 }
func (s *byteSet) union(t byteSet) {
	s[0], s[1], s[2], s[3] = s[0]|t[0], s[1]|t[1], s[2]|t[2], s[3]|t[3]
}

// addRange adds the bytes of the runes lo to hi in UTF-8. Every byte of a
// multi-byte rune, and every invalid byte (read as U+FFFD), is 0x80 or
// more.
func (s *byteSet) addRange(lo, hi rune) {
	for r := max(lo, 0); r <= hi && r < utf8.RuneSelf; r++ {
		s.add(byte(r))
	}
	if hi >= utf8.RuneSelf {
		for b := utf8.RuneSelf; b < 256; b++ {
			s.add(byte(b))
		}
	}
}
