package triage

import (
	"slices"
	"strings"
)

// bodyLines reads a body line by line, cut as strings.Split(body, "\n")
// cuts it, splitting off each line, and folding it trimmed, when it is
// first asked for: ownText is done with most bodies well before their
// last line. It reads lines in order, a few ahead at most, so only the
// last few are kept.
type bodyLines struct {
	body  string
	split int // lines split off so far
	next  int // where line split starts in body; past its end after the last
	// Line n, folded and trimmed, and where the line after it starts, at
	// n%keptLines for the last keptLines lines split off.
	raw, folded [keptLines]string
	ends        [keptLines]int
	buf         strings.Builder // where folded lines are written
	scratch     []byte
}

const keptLines = 8

func newBodyLines(body string) *bodyLines {
	return &bodyLines{body: body}
}

// has reports whether the body has a line i.
func (b *bodyLines) has(i int) bool {
	for b.split <= i && b.next <= len(b.body) {
		line, end := b.body[b.next:], len(b.body)+1
		if j := strings.IndexByte(line, '\n'); j >= 0 {
			line, end = line[:j], b.next+j+1
		}
		k := b.split % keptLines
		b.raw[k], b.folded[k], b.ends[k] = line, b.fold(strings.TrimSpace(line)), end
		b.split, b.next = b.split+1, end
	}
	return i < b.split
}

// line returns line i as written and folded and trimmed; has(i) must
// have been asked.
func (b *bodyLines) line(i int) (raw, folded string) {
	if i < b.split-keptLines { // no longer kept: read again
		raw, _, _ = strings.Cut(b.body[b.start(i):], "\n")
		return raw, fold(strings.TrimSpace(raw))
	}
	return b.raw[i%keptLines], b.folded[i%keptLines]
}

// after returns the body after line i; has(i) must have been asked.
func (b *bodyLines) after(i int) string {
	if i < b.split-keptLines { // no longer kept: read again
		return b.body[min(b.start(i+1), len(b.body)):]
	}
	return b.body[min(b.ends[i%keptLines], len(b.body)):]
}

// start returns where line i starts in the body, past its end if there
// is no such line.
func (b *bodyLines) start(i int) int {
	at := 0
	for ; i > 0; i-- {
		j := strings.IndexByte(b.body[at:], '\n')
		if j < 0 {
			return len(b.body) + 1
		}
		at += j + 1
	}
	return at
}

// fold folds a line into b's buffer, which grows once for most bodies.
func (b *bodyLines) fold(line string) string {
	if !needsFold(line) {
		return line
	}
	if b.buf.Cap() == 0 {
		b.buf.Grow(min(len(b.body), 4<<10))
	}
	b.scratch = appendFold(slices.Grow(b.scratch[:0], len(line)), line, nil)
	start := b.buf.Len()
	b.buf.Write(b.scratch)
	return b.buf.String()[start:] // what is written stays as it is
}
