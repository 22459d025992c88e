package store

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// Reads complete the events they return from the lead directory
// (leads.go): List and LeadEvents with the lead's string id from each
// summary, After and SetRead by looking the lead ID up, reading each
// lead's record once. Event and Lead read the directory without waiting
// for the writer, so they fold in the lead's events that are still only
// in the log (currentLead).

// leadReader completes events from the directory within one read
// transaction, reading each lead's record once, the event it names only
// for an event that lacks an identity field, and copying only the strings
// it gives to an event (each once): a page whose events carry their lead's
// identity, of leads without a category, costs a lookup per lead and no
// allocation.
type leadReader struct {
	b, events *bolt.Bucket
	lookup    lookupFunc
	index     map[uint32]int // string id -> leads index, -1 for no record
	leads     []leadFields
	// The last lead ID looked up and its string id: events of one lead
	// often come together.
	lastID  string
	lastStr uint32
}

// leadFields is a record as readLeadHead returns it, valid in the
// transaction, and the strings made of its fields so far.
type leadFields struct {
	leadHead
	s    [leadFieldCount]string
	made [leadFieldCount]bool
}

// str returns field i as a string, copying it once.
func (l *leadFields) str(i int) string {
	if !l.made[i] {
		l.s[i], l.made[i] = string(l.f[i]), true
	}
	return l.s[i]
}

// fill is Lead.fill for a record read by readLeadHead, reading the event
// it names from events if ev lacks an identity field.
func (l *leadFields) fill(ev *event.Event, events *bolt.Bucket) {
	if ev.LeadEmail == "" || ev.LeadName == "" || ev.Company == "" {
		l.resolve(events)
	}
	for i, dst := range [...]*string{leadFieldEmail: &ev.LeadEmail, leadFieldName: &ev.LeadName, leadFieldCompany: &ev.Company} {
		if *dst == "" && len(l.f[i]) > 0 {
			*dst = l.str(i)
		}
	}
	if ev.Type != event.CategoryUpdated && ev.Category == "" && len(l.f[leadFieldCategory]) > 0 {
		ev.Category = l.str(leadFieldCategory)
	}
}

// newLeadReader makes a reader for about n events.
func newLeadReader(tx *bolt.Tx, lookup lookupFunc, n int) *leadReader {
	return &leadReader{
		b: tx.Bucket(bucketLeads), events: tx.Bucket(bucketEvents), lookup: lookup,
		index: make(map[uint32]int, n), leads: make([]leadFields, 0, n),
	}
}

// fill completes ev from its lead's record. id is the string id of its
// lead ID when the caller knows it (a summary holds it), else 0.
func (r *leadReader) fill(ev *event.Event, id uint32) {
	if ev.LeadID == "" {
		return
	}
	if id == 0 {
		if ev.LeadID != r.lastID {
			r.lastID, r.lastStr = ev.LeadID, 0
			if got, ok := r.lookup(idPart(idLead, ev.LeadID)); ok {
				r.lastStr = got
			}
		}
		if id = r.lastStr; id == 0 {
			return
		}
	}
	i, seen := r.index[id]
	if !seen {
		// A record that does not read completes nothing; the writer
		// replaces it with the lead's next event.
		i = -1
		var key [4]byte
		binary.BigEndian.PutUint32(key[:], id)
		if h, ok := readLeadHead(r.b.Get(key[:])); ok {
			r.leads = append(r.leads, leadFields{leadHead: h})
			i = len(r.leads) - 1
		}
		r.index[id] = i
	}
	if i >= 0 {
		r.leads[i].fill(ev, r.events)
	}
}

// fillAll completes evs; ids are the string ids of their lead IDs, or nil.
func (r *leadReader) fillAll(evs []event.Event, ids []uint32) {
	for i := range evs {
		var id uint32
		if i < len(ids) {
			id = ids[i]
		}
		r.fill(&evs[i], id)
	}
}

// Lead returns what the store knows of the lead with SmartLead lead ID
// leadID, from every event appended before the call; ok is false when no
// stored event has that lead ID.
func (s *Store) Lead(leadID string) (lead Lead, ok bool, err error) {
	rec, ok, err := s.currentLead(leadID)
	if err != nil {
		return Lead{}, false, fmt.Errorf("store: unable to read lead %q: %w", leadID, err)
	}
	return rec.Lead, ok, nil
}

// currentLead returns the lead's record as of every event logged before
// the call, without waiting for the writer: bbolt's record, with the
// lead's events that are only in the tail folded in, in order.
func (s *Store) currentLead(leadID string) (rec leadRec, found bool, err error) {
	if leadID == "" {
		return leadRec{}, false, nil
	}
	// The tail first: an event that leaves it after this is in bbolt by
	// the time the read below begins, and events bbolt has are skipped.
	pend := s.tail.ofLead(leadID)
	var applied uint64
	err = s.viewNow(func(tx *bolt.Tx) error {
		applied = tx.Bucket(bucketEvents).Sequence()
		id, ok := s.readLookup(idPart(idLead, leadID))
		if !ok {
			return nil
		}
		if r, err := decodeLead(tx.Bucket(bucketLeads).Get(strKey(id)), leadID); err == nil {
			r.resolve(tx.Bucket(bucketEvents))
			rec, found = r, true
		}
		return nil
	})
	if err != nil {
		return leadRec{}, false, err
	}
	for _, p := range pend {
		if p.seq <= applied {
			continue
		}
		if !found {
			rec, found = leadRec{Lead: Lead{ID: leadID}}, true
		}
		rec.merge(p.seq, &p.ev)
	}
	return rec, found, nil
}

// ofLead returns the tail's events of the lead, in seq order.
func (t *tailIndex) ofLead(leadID string) []*pending {
	t.mu.RLock()
	var out []*pending
	for _, p := range t.m {
		if p.ev.LeadID == leadID {
			out = append(out, p)
		}
	}
	t.mu.RUnlock()
	slices.SortFunc(out, func(a, b *pending) int { return cmp.Compare(a.seq, b.seq) })
	return out
}
