package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// Full-text search works on interned, lower-cased strings. An event's
// searchable text is split into a few strings (the lead's name, email and
// company; the campaign name; the subject; the body), each stored once in
// the "strs" bucket under a small id, and the event's summary holds only
// those ids. Leads, campaigns and subjects repeat across many events, so the
// strings to scan are a fraction of the events' text, and the per-event part
// of a scan is a few bytes. A search scans "strs" once per query word to
// build a bitset of matching ids, then walks the summaries testing bits.

// maxBodyText caps how much of a body is searchable: replies quote whole
// threads, and the first few KiB hold what was written.
const maxBodyText = 4096

// strHash identifies an interned string: the first 16 bytes of its SHA-256,
// which no two strings share in practice, so that neither interning nor a
// lookup has to read the string back to compare it.
type strHash [16]byte

// textPart is one string to intern with its hash, computed by the caller of
// Append so that the writer does not spend its time on it.
type textPart struct {
	text string
	hash strHash
	id   bool // a campaign or lead ID (idPart), not searchable text
}

// searchParts returns ev's searchable strings, lower-cased, without leading
// NULs so that none can equal a marked ID (see idPart).
func searchParts(ev *event.Event) []textPart {
	parts := make([]textPart, 0, 4)
	add := func(s string) {
		if s = strings.TrimLeft(strings.ToLower(strings.TrimSpace(s)), "\x00"); s != "" {
			parts = append(parts, newPart(s))
		}
	}
	lead := make([]string, 0, 3)
	for _, s := range []string{ev.LeadName, ev.LeadEmail, ev.Company} {
		if s = strings.TrimSpace(s); s != "" {
			lead = append(lead, s)
		}
	}
	add(strings.Join(lead, "\n"))
	add(ev.CampaignName)
	add(ev.Subject)
	add(truncateUTF8(ev.Body, maxBodyText))
	return parts
}

// Campaign and lead IDs are interned too, so that a summary can name them
// in a few bytes. A marker that no searchable text starts with keeps them
// apart from the searchable strings. An ID gets an id and a journal record
// (its hash is all a lookup needs) but no entry in the "strs" bucket: no
// search needs its text, and new leads are common enough that writing one
// would cost many commits a page (files of schema 1 have such entries,
// which searches read past).
const (
	idCampaign = "\x00c"
	idLead     = "\x00l"
)

// idPart returns the part to intern for an ID of the given kind; empty
// text when id is empty.
func idPart(kind, id string) textPart {
	if id == "" {
		return textPart{}
	}
	p := newPart(kind + id)
	p.id = true
	return p
}

func newPart(s string) textPart {
	sum := sha256.Sum256([]byte(s))
	return textPart{text: s, hash: strHash(sum[:16])}
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

var errTooManyStrings = errors.New("store: too many distinct strings")

// intern returns the id of p's string, adding it if it is new.
func (w *txn) intern(p textPart) (uint32, error) {
	id, _, err := w.internNew(p)
	return id, err
}

// internNew is intern, also saying whether the string is new: for a lead's
// ID, whether the lead is (leads.go).
func (w *txn) internNew(p textPart) (id uint32, added bool, err error) {
	if id, ok := w.strIdx.get(p.hash); ok {
		return id, false, nil
	}
	if id, ok := w.newStrs[p.hash]; ok {
		return id, false, nil
	}
	if !w.strSeqRead {
		w.strSeq, w.strSeqRead = lastStringID(w.tx), true
	}
	if w.strSeq >= math.MaxUint32 {
		return 0, false, errTooManyStrings
	}
	w.strSeq++
	id = uint32(w.strSeq)
	if !p.id {
		if err := w.strs.Put(strKey(id), []byte(p.text)); err != nil {
			return 0, false, err
		}
	}
	e := strEntry{p.hash, id}
	if err := w.journal.addString(e); err != nil {
		return 0, false, err
	}
	if w.newStrs == nil {
		w.newStrs = make(map[strHash]uint32)
	}
	w.newStrs[p.hash] = id
	w.newStrList = append(w.newStrList, e)
	return id, true, nil
}

// lookup returns the id of p's string, if it is interned: in the string
// index, or among this transaction's new strings when in the writer.
func (w *txn) lookup(p textPart) (uint32, bool) {
	if id, ok := w.strIdx.get(p.hash); ok {
		return id, true
	}
	id, ok := w.newStrs[p.hash]
	return id, ok
}

// The last string id given out is kept in the meta bucket, which lives in
// the root page that every commit writes anyway. (bbolt keeps a bucket's
// sequence in its parent, but using it makes the commit write the bucket's
// root page too: a page a commit for a new lead's ID, which strs does not
// hold.) Files of schema 1 kept it as the strs bucket's sequence.
var metaStrSeq = []byte("str_seq")

// lastStringID returns the last string id given out.
func lastStringID(tx *bolt.Tx) uint64 {
	if v := tx.Bucket(bucketMeta).Get(metaStrSeq); len(v) == 8 {
		return readU64(v)
	}
	return tx.Bucket(bucketStrs).Sequence()
}

// saveStringID records this transaction's last string id, if it gave any.
func (w *txn) saveStringID() error {
	if !w.strSeqRead || len(w.newStrList) == 0 {
		return nil
	}
	return w.meta.Put(metaStrSeq, u64(w.strSeq))
}

func strKey(id uint32) []byte { return binary.BigEndian.AppendUint32(make([]byte, 0, 4), id) }

// textFilter matches summaries whose strings contain every query word.
type textFilter struct {
	words [][]uint64 // per word, a bitset of the ids of matching strings
}

// newTextFilter scans the interned strings for the words of query. It
// returns nil when query has no words, and none=true when some word matches
// no string at all, so nothing can match.
func newTextFilter(tx *bolt.Tx, query string) (f *textFilter, none bool) {
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 {
		return nil, false
	}
	strs := tx.Bucket(bucketStrs)
	size := lastStringID(tx)/64 + 1
	f = &textFilter{words: make([][]uint64, len(words))}
	needles := make([][]byte, len(words))
	for i, w := range words {
		f.words[i] = make([]uint64, size)
		needles[i] = []byte(w)
	}
	found := make([]bool, len(words))
	read := 0
	c := strs.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 4 {
			continue
		}
		if read += len(v); read >= releaseBytes {
			releaseMapped(tx)
			read = 0
		}
		id := binary.BigEndian.Uint32(k)
		for i, n := range needles {
			if bytes.Contains(v, n) {
				f.words[i][id/64] |= 1 << (id % 64)
				found[i] = true
			}
		}
	}
	for _, ok := range found {
		if !ok {
			return nil, true
		}
	}
	return f, false
}

// match reports whether every word matches one of s's strings.
func (f *textFilter) match(s summary) bool {
	for _, bits := range f.words {
		if !s.eachRef(func(id uint32) bool {
			i := int(id / 64)
			return i < len(bits) && bits[i]&(1<<(id%64)) != 0
		}) {
			return false
		}
	}
	return true
}
