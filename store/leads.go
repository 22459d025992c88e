package store

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// The lead directory is what the store knows of each lead, gathered from
// its events: the name, e-mail and company any of them carried, and the
// category of its newest category update. Reads complete the events they
// return from it (leadReader): opens and clicks of the spec's shape carry
// only a lead_id, and a lead's category is news for every event of the
// lead, earlier ones included.
//
// It is the "leads" bucket, keyed by the string id of the lead's ID
// (text.go, idPart), 4 bytes big endian. Ids are given out as IDs are
// first seen, so a new lead's record goes at the right edge of the tree,
// like every other per-event write (see doc.go). The writer changes a
// record only when an event changes it: a new lead, an identity field
// newly known or changed, or a newer category. Opens and sends of a known
// lead read one record and write nothing.
//
// A new lead comes with most events of a growing campaign, so its record
// is kept small: while the lead's identity is exactly that of one of its
// events (the usual case), the record names that event instead of holding
// the strings (leads_codec.go), and a read that needs them reads that
// event's head. Deleting the event (prune.go, delete.go) first copies the
// strings into the record.
//
// The directory is derived from the events, so it can always be built
// again: meta's leads_seq is the seq up to which it holds them, set in the
// commit that applies events. Open brings it up to date from there
// (catchUpLeads) before the log is replayed: once, for a file written
// before the directory existed (no leads_seq), and again should a binary
// without it have stored events since.

// leadsFill is the leads bucket's fill percent: new leads are appended at
// the right edge. A record that grows in place (a lead's first category, a
// late identity) splits a full page, but that is rare next to new leads.
const leadsFill = 1.0

var (
	bucketLeads = []byte("leads")
	// metaLeadsSeq is the seq up to which the directory holds the events.
	metaLeadsSeq = []byte("leads_seq")
)

// Lead is what the store knows of a lead from its events.
type Lead struct {
	// ID is SmartLead's lead id.
	ID string `json:"id"`
	// Email, Name and Company are the latest non-empty values the lead's
	// events carried, in the order they were stored.
	Email   string `json:"email,omitempty"`
	Name    string `json:"name,omitempty"`
	Company string `json:"company,omitempty"`
	// Category is the category set by the lead's LEAD_CATEGORY_UPDATED
	// event with the latest event time (Event.When), or empty. CategoryAt
	// is that time and CampaignID that event's campaign; both are zero
	// when the lead has no category update.
	Category   string    `json:"category,omitempty"`
	CategoryAt time.Time `json:"category_at,omitzero"`
	CampaignID string    `json:"campaign_id,omitempty"`
}

// fill completes ev from the lead: identity fields ev lacks, and for an
// event other than a category update, which keeps its own, the lead's
// category. It never overwrites a value ev carries.
func (l *Lead) fill(ev *event.Event) {
	fillEmpty(&ev.LeadEmail, l.Email)
	fillEmpty(&ev.LeadName, l.Name)
	fillEmpty(&ev.Company, l.Company)
	if ev.Type != event.CategoryUpdated {
		fillEmpty(&ev.Category, l.Category)
	}
}

func fillEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// leadRec is a directory record in memory.
type leadRec struct {
	Lead
	// catSeq is the seq of the category update that set Category, 0 for
	// none; it breaks ties between updates of the same time the way the
	// time index does.
	catSeq uint64
	// ref is the seq of an event whose e-mail, name and company are
	// exactly the lead's identity, or 0. While unresolved is set, Email,
	// Name and Company have not been read from that event yet (resolve),
	// and refHash is the identity's hash as the record holds it.
	ref        uint64
	unresolved bool
	refHash    identityHash
}

// merge folds the event seq into r and reports whether r changed. r must
// be resolved if ev carries any identity field.
func (r *leadRec) merge(seq uint64, ev *event.Event) bool {
	changed := mergeIdentity(r, seq, ev.LeadEmail, ev.LeadName, ev.Company)
	if ev.Type == event.CategoryUpdated && r.olderThan(ev.When(), seq) {
		r.setCategory(seq, ev)
		changed = true
	}
	return changed
}

// mergeIdentity takes into r the identity fields of the event seq, as
// strings or as the bytes of its record (leads_build.go, which so copies
// only what changes), and reports whether r changed. When the identity is
// then exactly the event's, the record names the event.
func mergeIdentity[T string | []byte](r *leadRec, seq uint64, email, name, company T) bool {
	e := setField(&r.Email, email)
	n := setField(&r.Name, name)
	c := setField(&r.Company, company)
	if !e && !n && !c {
		return false
	}
	r.ref = 0
	if r.Email == string(email) && r.Name == string(name) && r.Company == string(company) {
		r.ref = seq
	}
	return true
}

// setField sets *dst to a non-empty v that differs from it, and reports
// whether it did.
func setField[T string | []byte](dst *string, v T) bool {
	if len(v) == 0 || *dst == string(v) {
		return false
	}
	*dst = string(v)
	return true
}

// olderThan reports whether r's category predates a category update of
// time when and sequence seq: in time order, ties broken by seq.
func (r *leadRec) olderThan(when time.Time, seq uint64) bool {
	if r.catSeq == 0 {
		return true
	}
	if c := cmp.Compare(whenKey(r.CategoryAt), whenKey(when)); c != 0 {
		return c < 0
	}
	return r.catSeq < seq
}

// setCategory makes the category update seq the lead's category.
func (r *leadRec) setCategory(seq uint64, ev *event.Event) {
	r.Category, r.CategoryAt, r.CampaignID, r.catSeq = ev.Category, ev.When(), ev.CampaignID, seq
}

// hasIdentity reports whether ev carries any identity field.
func hasIdentity(ev *event.Event) bool {
	return ev.LeadEmail != "" || ev.LeadName != "" || ev.Company != ""
}

// putLead folds the event seq, of the lead whose ID has string id id,
// into the lead's record in b, writing it only if it changes; wrote says
// whether it did. isNew says that the id was given out just now, so there
// is no record to read. events is the events bucket, where a record's
// identity may be.
func putLead(b, events *bolt.Bucket, id uint32, isNew bool, seq uint64, ev *event.Event) (wrote bool, err error) {
	var old []byte
	if !isNew {
		var key [4]byte
		binary.BigEndian.PutUint32(key[:], id)
		old = b.Get(key[:])
	}
	if old != nil && ev.Type != event.CategoryUpdated && sameIdentity(old, ev) {
		return false, nil
	}
	rec, err := decodeLead(old, ev.LeadID)
	fresh := err != nil
	if fresh {
		// A new lead; or a record that does not decode, which the events
		// replace (the directory is derived from them).
		rec = leadRec{Lead: Lead{ID: ev.LeadID}}
	}
	if hasIdentity(ev) {
		rec.resolve(events)
	}
	if !rec.merge(seq, ev) && !fresh {
		return false, nil
	}
	// The key and the record in one allocation: both must stay as they
	// are until the transaction ends.
	buf := binary.BigEndian.AppendUint32(make([]byte, 0, 4+leadSize(&rec)), id)
	buf = appendLead(buf, &rec)
	return true, b.Put(buf[:4:4], buf[4:])
}

// noteLead updates the directory for the event seq, whose lead ID has
// string id lead (0 when it has none); isNew when that id is new.
func (w *txn) noteLead(lead uint32, isNew bool, seq uint64, ev *event.Event) error {
	if lead == 0 {
		return nil
	}
	wrote, err := putLead(w.leads, w.events, lead, isNew, seq, ev)
	if wrote {
		w.leadWrites++
	}
	return err
}

// forgetEvent is called before the event seq, whose record is rec, of the
// lead whose ID has string id lead is deleted (prune.go, delete.go): a
// record that names the event for the lead's identity takes its strings
// instead.
func (w *txn) forgetEvent(lead uint32, seq uint64, rec []byte) error {
	key := strKey(lead)
	v := w.leads.Get(key)
	if len(v) == 0 || v[0] != leadCodecRef {
		return nil
	}
	r, err := decodeLead(v, "")
	if err != nil || r.ref != seq {
		return nil
	}
	var d decoder
	h, ok := readHead(rec, &d)
	if !ok {
		return fmt.Errorf("%w: event %d", errCorrupt, seq)
	}
	r.Email, r.Name, r.Company = string(h.leadEmail), string(h.leadName), string(h.company)
	r.ref, r.unresolved = 0, false
	w.leadWrites++
	return w.leads.Put(key, encodeLead(&r))
}

// unsetCategory is called when the category update seq of the lead whose
// ID has string id lead is deleted (delete.go): if it set the lead's
// category, the lead's newest remaining category update sets it now. That
// takes a walk of the time index, as a lead filter does (query.go).
func (w *txn) unsetCategory(lead uint32, seq uint64) error {
	key := strKey(lead)
	rec, err := decodeLead(w.leads.Get(key), "")
	if err != nil || rec.catSeq != seq {
		return nil
	}
	rec.Category, rec.CategoryAt, rec.CampaignID, rec.catSeq = "", time.Time{}, "", 0
	w.leadWrites++
	p := plan{tx: w.tx, byTime: w.byTime, typ: event.CategoryUpdated, lead: lead}
	var next uint64
	p.scan(nil, func(tk, _ []byte) bool {
		next = binary.BigEndian.Uint64(tk[8:])
		return next == seq // the deleted one, should its entry still be there
	})
	if next != 0 && next != seq {
		ev, err := getEvent(w.tx, next, false)
		if err != nil {
			return err
		}
		rec.setCategory(next, &ev)
	}
	return w.leads.Put(key, encodeLead(&rec))
}
