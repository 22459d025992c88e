package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/leadbell/leadbell/app/smartlead"
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

// maxCachedStrings bounds the writer's cache of interned strings' ids
// (about 32 bytes an entry); past it the cache starts again empty.
const maxCachedStrings = 1 << 18

// strHash identifies an interned string: the first 16 bytes of its SHA-256,
// which no two strings share in practice, so that neither interning nor a
// lookup has to read the string back to compare it.
type strHash [16]byte

// textPart is one string to intern with its hash, computed by the caller of
// Append so that the writer does not spend its time on it.
type textPart struct {
	text string
	hash strHash
}

// searchParts returns ev's searchable strings, lower-cased.
func searchParts(ev *smartlead.Event) []textPart {
	parts := make([]textPart, 0, 4)
	add := func(s string) {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
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
// in a few bytes. A marker keeps them apart from the searchable strings;
// were a text ever to equal a marked ID, sharing its id would be harmless,
// as a summary's ID ids are only compared with ID ids, and text ids only
// tested against search bitsets.
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
	return newPart(kind + id)
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
	if id, ok := w.strCache[p.hash]; ok {
		return id, nil
	}
	if id, ok := w.newStrs[p.hash]; ok {
		return id, nil
	}
	if v := w.strHash.Get(p.hash[:]); len(v) == 4 {
		id := binary.BigEndian.Uint32(v)
		w.rememberString(p.hash, id)
		return id, nil
	}
	seq, err := w.strs.NextSequence()
	if err != nil {
		return 0, err
	}
	if seq > math.MaxUint32 {
		return 0, errTooManyStrings
	}
	id := uint32(seq)
	if err := w.strs.Put(strKey(id), []byte(p.text)); err != nil {
		return 0, err
	}
	if err := w.strHash.Put(p.hash[:], strKey(id)); err != nil {
		return 0, err
	}
	w.rememberString(p.hash, id)
	return id, nil
}

// rememberString notes an id for the cache, which takes it once the
// transaction commits (an id made by a transaction that fails must not
// be remembered).
func (w *txn) rememberString(h strHash, id uint32) {
	if w.newStrs == nil {
		w.newStrs = make(map[strHash]uint32)
	}
	w.newStrs[h] = id
}

// commitStrings moves this committed transaction's ids into the cache.
func (w *txn) commitStrings() {
	if len(w.strCache)+len(w.newStrs) > maxCachedStrings {
		clear(w.strCache)
	}
	for h, id := range w.newStrs {
		w.strCache[h] = id
	}
}

// lookup returns the id of p's string, if it is interned.
func lookup(tx *bolt.Tx, p textPart) (uint32, bool) {
	if v := tx.Bucket(bucketStrHash).Get(p.hash[:]); len(v) == 4 {
		return binary.BigEndian.Uint32(v), true
	}
	return 0, false
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
	size := strs.Sequence()/64 + 1
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
