package store

import (
	"encoding/binary"
	"math"

	"github.com/leadbell/leadbell/event"
)

// typeCodes numbers the known event types so that a summary spends one byte
// on its type; code 0 means "another type, spelled out after the code".
var typeCodes = map[event.Type]byte{
	event.Sent:            1,
	event.Opened:          2,
	event.Clicked:         3,
	event.Replied:         4,
	event.Bounced:         5,
	event.Unsubscribed:    6,
	event.Other:           7,
	event.CategoryUpdated: 8,
}

// knownTypes holds the types of typeCodes by name, so that decoding one
// does not allocate its string.
var knownTypes = func() map[string]event.Type {
	m := make(map[string]event.Type, len(typeCodes))
	for t := range typeCodes {
		m[string(t)] = t
	}
	return m
}()

// A summary is the value of a "by_time" entry: everything a query filters
// on, so that a filtered or full-text scan reads only this bucket.
//
//	[0]  flags (as in the event record)
//	[1]  type code; if 0, the type as a uvarint-prefixed string follows
//	     then the campaign ID's and the lead ID's string ids (0 for none),
//	     then a uvarint count of text references and the references
//	     (all ids of strings in the "strs" bucket, see text.go)
type summary struct {
	flags    byte
	code     byte
	typ      []byte // only when code == 0
	campaign uint32
	lead     uint32
	refs     []byte // the encoded text references
}

func encodeSummary(flags byte, typ event.Type, campaign, lead uint32, refs []uint32) []byte {
	b := make([]byte, 0, 12+3*len(refs))
	b = append(b, flags)
	code := typeCodes[typ]
	b = append(b, code)
	if code == 0 {
		b = appendString(b, string(typ))
	}
	b = binary.AppendUvarint(b, uint64(campaign))
	b = binary.AppendUvarint(b, uint64(lead))
	b = binary.AppendUvarint(b, uint64(len(refs)))
	for _, r := range refs {
		b = binary.AppendUvarint(b, uint64(r))
	}
	return b
}

// parseSummary splits v without copying: the result is only valid while the
// transaction that produced v is open.
func parseSummary(v []byte) (summary, bool) {
	if len(v) < 3 {
		return summary{}, false
	}
	s := summary{flags: v[0], code: v[1]}
	rest := v[2:]
	if s.code == 0 {
		n, k := binary.Uvarint(rest)
		if k <= 0 || n > uint64(len(rest)-k) {
			return summary{}, false
		}
		s.typ = rest[k : k+int(n)]
		rest = rest[k+int(n):]
	}
	var ok1, ok2 bool
	s.campaign, rest, ok1 = readID(rest)
	s.lead, rest, ok2 = readID(rest)
	s.refs = rest
	return s, ok1 && ok2
}

// readID reads one uvarint string id.
func readID(b []byte) (uint32, []byte, bool) {
	v, k := binary.Uvarint(b)
	if k <= 0 || v > math.MaxUint32 {
		return 0, nil, false
	}
	return uint32(v), b[k:], true
}

// isType reports whether the summary's type is typ.
func (s summary) isType(typ event.Type) bool {
	if c, ok := typeCodes[typ]; ok {
		return s.code == c
	}
	return s.code == 0 && string(s.typ) == string(typ)
}

// eachRef calls fn for each text reference until fn returns true, and
// reports whether it did.
func (s summary) eachRef(fn func(id uint32) bool) bool {
	rest := s.refs
	n, k := binary.Uvarint(rest)
	if k <= 0 {
		return false
	}
	rest = rest[k:]
	for range n {
		id, k := binary.Uvarint(rest)
		if k <= 0 {
			return false
		}
		rest = rest[k:]
		if fn(uint32(id)) {
			return true
		}
	}
	return false
}
