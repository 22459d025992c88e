package store

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// Page sizes of List, After and LeadEvents.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Query selects events for List. Empty fields do not filter.
type Query struct {
	// Type keeps events of this type.
	Type event.Type
	// Campaign keeps events of this campaign ID.
	Campaign string
	// Lead keeps events of this lead ID.
	Lead string
	// Text keeps events whose lead name, email, company, campaign name,
	// subject or body (its first 4 KiB) contain every word of Text,
	// ignoring case. It matches the event's own text: not what the lead
	// directory adds to it when it is read.
	Text string
	// Unread keeps unread events.
	Unread bool
	// Done, when set, keeps the events marked done (true) or those not
	// (false); Snoozed likewise for snoozed events (desk.go).
	Done, Snoozed *bool
	// Category keeps the events of leads whose current SmartLead category
	// is this one (its exact name), as the lead directory knows it.
	Category string
	// Triage keeps the replies triaged as this class (event.TriageClasses);
	// "none" keeps the replies not triaged yet.
	Triage string
	// Limit is the page size: DefaultLimit when zero or less, at most
	// MaxLimit.
	Limit int
	// Before is the Next of the previous page; empty for the first page.
	Before string
}

// Page is one page of a List.
type Page struct {
	// Events are newest first, without Raw, completed from the lead
	// directory (leads.go).
	Events []event.Event `json:"events"`
	// Next is the cursor of the following page, empty on the last page.
	Next string `json:"next"`
}

// List returns the events matching q, newest first by event time
// (Event.When), events of the same time newest arrival first. A malformed
// q.Before fails with ErrBadCursor.
func (s *Store) List(q Query) (Page, error) {
	before, err := decodeCursor(q.Before)
	if err != nil {
		return Page{}, err
	}
	limit := clampLimit(q.Limit)
	page := Page{Events: []event.Event{}}
	err = s.view(func(tx *bolt.Tx) error {
		p, none := newPlan(tx, q, s.readLookup)
		if none {
			return nil
		}
		seqs := make([]uint64, 0, limit)
		leads := make([]uint32, 0, limit)
		p.scan(before, func(tk, sum []byte) bool {
			if len(seqs) == limit {
				page.Next = encodeCursor(before)
				return false
			}
			seqs = append(seqs, binary.BigEndian.Uint64(tk[8:]))
			leads = append(leads, summaryLead(sum))
			before = append(before[:0], tk...)
			return true
		})
		var err error
		if page.Events, err = loadEvents(tx, seqs); err != nil {
			return err
		}
		newLeadReader(tx, s.readLookup, len(page.Events)).fillAll(page.Events, leads)
		return nil
	})
	if err != nil {
		return Page{}, fmt.Errorf("store: unable to list events: %w", err)
	}
	return page, nil
}

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// A cursor is the time key (when + seq) of the last event of a page,
// base64url-encoded; the next page starts just below it.
func encodeCursor(tk []byte) string { return base64.RawURLEncoding.EncodeToString(tk) }

func decodeCursor(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	tk, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(tk) != 16 {
		return nil, fmt.Errorf("%w: %q", ErrBadCursor, s)
	}
	return tk, nil
}

func loadEvents(tx *bolt.Tx, seqs []uint64) ([]event.Event, error) {
	evs := make([]event.Event, 0, len(seqs))
	for _, seq := range seqs {
		ev, err := getEvent(tx, seq, false)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

// plan is how a query is answered: walk the time index newest first and
// test the filters on each entry's summary. There are no per-lead,
// per-campaign or per-type indexes: each would cost a scattered page write
// per event on ingest (see doc.go), while a full walk of the summaries is
// fast enough for the rare filters that need one.
type plan struct {
	tx       *bolt.Tx
	byTime   *bolt.Bucket
	typ      event.Type
	campaign uint32 // string id of the campaign ID; 0 for any
	lead     uint32 // string id of the lead ID; 0 for any
	unread   bool
	done     *bool
	snoozed  *bool
	leads    map[uint32]bool // the leads of the category asked for; nil for any
	triage   *byte           // the triage code asked for (0: none yet); nil for any
	text     *textFilter
}

// lookupFunc finds the id of an interned string.
type lookupFunc func(p textPart) (uint32, bool)

// readLookup is the lookupFunc of reads: the string index.
func (s *Store) readLookup(p textPart) (uint32, bool) { return s.strIdx.get(p.hash) }

// newPlan plans q in tx, finding string ids with lookup; none is true when
// nothing can match.
func newPlan(tx *bolt.Tx, q Query, lookup lookupFunc) (p plan, none bool) {
	p = plan{tx: tx, byTime: tx.Bucket(bucketByTime), typ: q.Type, unread: q.Unread, done: q.Done, snoozed: q.Snoozed}
	var ok bool
	if q.Campaign != "" {
		if p.campaign, ok = lookup(idPart(idCampaign, q.Campaign)); !ok {
			return p, true
		}
	}
	if q.Lead != "" {
		if p.lead, ok = lookup(idPart(idLead, q.Lead)); !ok {
			return p, true
		}
	}
	switch q.Triage {
	case "":
	case "none":
		p.typ, p.triage = event.Replied, new(byte)
	default:
		code := triageCode(q.Triage)
		if code == 0 {
			return p, true
		}
		p.triage = &code
	}
	if q.Category != "" {
		if p.leads = leadsOfCategory(tx, q.Category); len(p.leads) == 0 {
			return p, true
		}
	}
	if q.Text != "" {
		p.text, none = newTextFilter(tx, q.Text)
	}
	return p, none
}

// leadsOfCategory is the string ids of the leads whose current category is
// name: a walk of the lead directory, a record per lead.
func leadsOfCategory(tx *bolt.Tx, name string) map[uint32]bool {
	out := map[uint32]bool{}
	_ = tx.Bucket(bucketLeads).ForEach(func(k, v []byte) error {
		if len(k) != 4 {
			return nil
		}
		if r, err := decodeLead(v, ""); err == nil && r.Category == name {
			out[binary.BigEndian.Uint32(k)] = true
		}
		return nil
	})
	return out
}

// scan walks the time index below the time key before (all of it when
// nil), newest first, calling fn with the time key and the summary of each
// match until fn returns false. Both are only valid during the call.
func (p *plan) scan(before []byte, fn func(tk, sum []byte) bool) {
	filter := p.unread || p.typ != "" || p.campaign != 0 || p.lead != 0 || p.text != nil || p.done != nil || p.snoozed != nil || p.leads != nil || p.triage != nil
	c := p.byTime.Cursor()
	var k, v []byte
	if before == nil {
		k, v = c.Last()
	} else if k, _ = c.Seek(before); k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	n := 0
	defer func() {
		if n >= releaseEntries {
			releaseMapped(p.tx)
		}
	}()
	for ; k != nil; k, v = c.Prev() {
		if n++; n%releaseEntries == 0 {
			releaseMapped(p.tx)
		}
		if len(k) != 16 || filter && !p.match(v) {
			continue
		}
		if !fn(k, v) {
			return
		}
	}
}

// summaryLead is the string id of the lead ID in the summary v, 0 for
// none.
func summaryLead(v []byte) uint32 {
	if sum, ok := parseSummary(v); ok {
		return sum.lead
	}
	return 0
}

func (p *plan) match(v []byte) bool {
	s, ok := parseSummary(v)
	switch {
	case !ok:
		return false
	case p.unread && s.flags&flagRead != 0:
		return false
	case p.done != nil && (s.flags&flagDone != 0) != *p.done:
		return false
	case p.snoozed != nil && (s.flags&flagSnoozed != 0) != *p.snoozed:
		return false
	case p.typ != "" && !s.isType(p.typ):
		return false
	case p.campaign != 0 && s.campaign != p.campaign:
		return false
	case p.lead != 0 && s.lead != p.lead:
		return false
	case p.leads != nil && !p.leads[s.lead]:
		return false
	case p.triage != nil && s.flags&triageMask != *p.triage:
		return false
	case p.text != nil && !p.text.match(s):
		return false
	}
	return true
}
