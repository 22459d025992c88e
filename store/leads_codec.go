package store

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// A lead directory record (leads.go) is
//
//	[0]  leadCodecV1: the identity follows as strings: e-mail, name,
//	     company; or
//	     leadCodecRef: it is exactly that of the event whose seq follows
//	     (a uvarint), and then come 8 bytes of its hash (identityHash)
//	then, for a lead with a category update: its category and campaign ID
//	as strings, its time and its seq (a uvarint), encoded as in the event
//	record (codec.go)
//
// The lead ID is not in it: its string id is the key, and whoever reads a
// record knows the ID it looked up. A new lead's record, written with each
// event that brings one, is so about a dozen bytes: with bbolt's 16 bytes
// of overhead and the key, a third of the record with the strings in it,
// which made durable ingest with a new lead per event measurably slower.
// The hash lets the writer see that an event carries the lead's identity,
// the common case, without reading the event the record names.
const (
	leadCodecV1  = 1
	leadCodecRef = 2
)

// identityHash is the first 8 bytes of the SHA-256 of a lead's e-mail,
// name and company, each followed by a NUL byte.
type identityHash [8]byte

func hashIdentity[T string | []byte](email, name, company T) identityHash {
	b := make([]byte, 0, 128)
	b = append(append(b, email...), 0)
	b = append(append(b, name...), 0)
	b = append(append(b, company...), 0)
	sum := sha256.Sum256(b)
	return identityHash(sum[:8])
}

// leadSize is about the size of r's record.
func leadSize(r *leadRec) int {
	n := 24 + len(r.Category) + len(r.CampaignID)
	if r.ref == 0 {
		n += len(r.Email) + len(r.Name) + len(r.Company)
	}
	return n
}

func encodeLead(r *leadRec) []byte { return appendLead(make([]byte, 0, leadSize(r)), r) }

// appendLead appends r's record to b.
func appendLead(b []byte, r *leadRec) []byte {
	if r.ref != 0 {
		h := r.refHash
		if !r.unresolved {
			h = hashIdentity(r.Email, r.Name, r.Company)
		}
		b = binary.AppendUvarint(append(b, leadCodecRef), r.ref)
		b = append(b, h[:]...)
	} else {
		b = append(b, leadCodecV1)
		b = appendString(b, r.Email)
		b = appendString(b, r.Name)
		b = appendString(b, r.Company)
	}
	if r.catSeq == 0 {
		return b
	}
	b = appendString(b, r.Category)
	b = appendString(b, r.CampaignID)
	b = appendTime(b, r.CategoryAt)
	return binary.AppendUvarint(b, r.catSeq)
}

// decodeLead decodes the record of the lead leadID; what it returns is
// copied. A record that names an event comes back unresolved.
func decodeLead(v []byte, leadID string) (leadRec, error) {
	if len(v) < 1 || v[0] != leadCodecV1 && v[0] != leadCodecRef {
		return leadRec{}, errCorrupt
	}
	d := decoder{b: v[1:]}
	r := leadRec{Lead: Lead{ID: leadID}}
	if v[0] == leadCodecRef {
		r.ref, r.unresolved = d.uvarint(), true
		if r.ref == 0 || len(d.b) < len(r.refHash) {
			return leadRec{}, errCorrupt
		}
		copy(r.refHash[:], d.b)
		d.b = d.b[len(r.refHash):]
	} else {
		r.Email = d.str()
		r.Name = d.str()
		r.Company = d.str()
	}
	if len(d.b) > 0 && d.err == nil {
		r.Category = d.str()
		r.CampaignID = d.str()
		r.CategoryAt = d.time()
		if r.catSeq = d.uvarint(); r.catSeq == 0 {
			d.fail()
		}
	}
	if d.err != nil {
		return leadRec{}, d.err
	}
	return r, nil
}

// resolve reads the identity of an unresolved record from the event it
// names, in events. Should that event be gone, which deleting it prevents
// (leads.go, forgetEvent), the identity is empty.
func (r *leadRec) resolve(events *bolt.Bucket) {
	if !r.unresolved {
		return
	}
	var d decoder
	if h, ok := readHead(events.Get(seqKey(r.ref)), &d); ok {
		r.Email, r.Name, r.Company = string(h.leadEmail), string(h.leadName), string(h.company)
	} else {
		r.ref = 0
	}
	r.unresolved = false
}

// The fields of a record that reads use, in readLeadHead's result.
const (
	leadFieldEmail = iota
	leadFieldName
	leadFieldCompany
	leadFieldCategory
	leadFieldCount
)

// leadHead is a record as reads use it, without copying: its identity
// fields (nil while ref is set: they are in that event) and category.
type leadHead struct {
	f   [leadFieldCount][]byte
	ref uint64
	sum identityHash // when ref is set
}

// readLeadHead reads the record v.
func readLeadHead(v []byte) (h leadHead, ok bool) {
	if len(v) < 1 || v[0] != leadCodecV1 && v[0] != leadCodecRef {
		return h, false
	}
	d := decoder{b: v[1:]}
	if v[0] == leadCodecRef {
		if h.ref = d.uvarint(); h.ref == 0 || len(d.b) < len(h.sum) {
			return h, false
		}
		copy(h.sum[:], d.b)
		d.b = d.b[len(h.sum):]
	} else {
		h.f[leadFieldEmail] = d.bytes()
		h.f[leadFieldName] = d.bytes()
		h.f[leadFieldCompany] = d.bytes()
	}
	if len(d.b) > 0 {
		h.f[leadFieldCategory] = d.bytes()
	}
	return h, d.err == nil
}

// resolve reads the identity fields of a record that names an event from
// that event's record in events, without copying.
func (h *leadHead) resolve(events *bolt.Bucket) {
	if h.ref == 0 {
		return
	}
	var d decoder
	if e, ok := readHead(events.Get(seqKey(h.ref)), &d); ok {
		h.f[leadFieldEmail], h.f[leadFieldName], h.f[leadFieldCompany] = e.leadEmail, e.leadName, e.company
	}
	h.ref = 0
}

// sameIdentity reports, without allocating, whether the record v already
// holds every identity field ev carries: for a record that names an event,
// whether ev carries no identity field or exactly the record's identity.
// A false answer only means that the caller must look closer.
func sameIdentity(v []byte, ev *event.Event) bool {
	h, ok := readLeadHead(v)
	switch {
	case !ok:
		return false
	case h.ref != 0:
		return !hasIdentity(ev) || hashIdentity(ev.LeadEmail, ev.LeadName, ev.Company) == h.sum
	}
	same := func(b []byte, s string) bool { return s == "" || string(b) == s }
	return same(h.f[leadFieldEmail], ev.LeadEmail) && same(h.f[leadFieldName], ev.LeadName) && same(h.f[leadFieldCompany], ev.Company)
}
