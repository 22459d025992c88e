package triage

import (
	"slices"
	"strings"
)

// A lexicon finds, in one pass over a text, which of the strings that
// scanners need (needs.go) occur in it. From every position of the
// text it walks a trie of the strings' first few bytes, which ends after
// a byte or two at most positions, and compares whole strings only where
// their beginning is found.
type lexicon struct {
	strs []string
	ids  map[string]int
	// users[id] are the scanners (by their number) with the string in
	// the first need of a branch: only those can match a text with it.
	users    [][]int
	scanners int
	// The trie: next[state*width+column[b]] is the state after byte b,
	// or 0 when no string goes on with it (the root, state 0, is no
	// one's next). ends[state] lists the strings whose first bytes (all
	// of them, or lexiconDepth) lead to the state.
	column [256]uint8
	width  int
	next   []uint16
	ends   [][]int
}

// lexiconDepth is how many bytes of each string the trie holds.
const lexiconDepth = 4

// newLexicon indexes the strings the scanners need, numbers the scanners
// and gives each branch of theirs the ids of its strings.
func newLexicon(scanners []*scanner) *lexicon {
	x := &lexicon{ids: map[string]int{}, scanners: len(scanners)}
	for n, sc := range scanners {
		sc.number = n
		for i := range sc.branches {
			b := &sc.branches[i]
			b.ids = make([][]int, len(b.needs))
			for j, need := range b.needs {
				for _, s := range need.strs {
					id, ok := x.ids[s]
					if !ok {
						id = len(x.strs)
						x.ids[s] = id
						x.strs = append(x.strs, s)
						x.users = append(x.users, nil)
					}
					b.ids[j] = append(b.ids[j], id)
					if j == 0 && !slices.Contains(x.users[id], n) {
						x.users[id] = append(x.users[id], n)
					}
				}
			}
		}
	}
	x.width = 1 // column 0: bytes that begin no string
	for _, s := range x.strs {
		for i := 0; i < len(s) && i < lexiconDepth; i++ {
			if x.column[s[i]] == 0 {
				x.column[s[i]] = uint8(x.width)
				x.width++
			}
		}
	}
	x.next = make([]uint16, x.width)
	x.ends = [][]int{nil}
	for id, s := range x.strs {
		state := 0
		for i := 0; i < len(s) && i < lexiconDepth; i++ {
			at := state*x.width + int(x.column[s[i]])
			if x.next[at] == 0 {
				x.next[at] = uint16(len(x.ends))
				x.next = append(x.next, make([]uint16, x.width)...)
				x.ends = append(x.ends, nil)
			}
			state = int(x.next[at])
		}
		x.ends[state] = append(x.ends[state], id)
	}
	if len(x.ends) > 1<<16 {
		panic("triage: lexicon too large")
	}
	return x
}

// A scanned text is folded text with the lexicon's strings it contains.
type scanned struct {
	text     string
	has      bitSet   // by string id: occurs in text
	scanners bitSet   // by scanner number: has a string of a first need in text
	windows  []window // scratch for scanner.windows
}

func (t *scanned) contains(id int) bool { return t.has.contains(id) }

// A bitSet is a set of small numbers.
type bitSet []uint64

func (s bitSet) contains(n int) bool { return s[n/64]&(1<<(n%64)) != 0 }
func (s bitSet) add(n int)           { s[n/64] |= 1 << (n % 64) }

// scan reads which of its strings text contains.
func (x *lexicon) scan(text string) scanned {
	bits := make(bitSet, (len(x.strs)+63)/64+(x.scanners+63)/64)
	t := scanned{text: text, has: bits[:(len(x.strs)+63)/64], scanners: bits[(len(x.strs)+63)/64:]}
	for i := range len(text) {
		state := 0
		for j := i; j < len(text) && j < i+lexiconDepth; j++ {
			state = int(x.next[state*x.width+int(x.column[text[j]])])
			if state == 0 {
				break
			}
			for _, id := range x.ends[state] {
				if !t.contains(id) && strings.HasPrefix(text[i:], x.strs[id]) {
					t.has.add(id)
					for _, n := range x.users[id] {
						t.scanners.add(n)
					}
				}
			}
		}
	}
	return t
}
