package store

import (
	"context"
	"fmt"
	"time"

	"github.com/leadbell/leadbell/event"
)

// AppendMany sends appendChunk events per writer request and keeps at most
// appendWindow requests in flight, so a large import neither waits for each
// commit nor holds every encoded event in memory at once.
const (
	appendChunk  = 512
	appendWindow = 8
)

// Result is the outcome of storing one event.
type Result struct {
	// Event is the stored event, with its ID; for a duplicate, the event
	// stored earlier.
	Event event.Event
	// Dup is true when an event with the same Key was already stored.
	Dup bool
}

// Append stores ev and returns once it is on disk (in the log, see
// ingest.go) and visible to every read that starts after it returns. If an event
// with the same ev.Key is already stored it stores nothing and returns that
// event with dup=true; an empty Key is never a duplicate. The stored event
// gets an ID, the decimal form of a sequence number that grows in arrival
// order; ev.ReceivedAt is kept, or set to now when zero.
//
// If ctx ends first, Append returns ctx.Err(), but the event may still be
// committed: the caller cannot take that error to mean "not stored".
func (s *Store) Append(ctx context.Context, ev event.Event) (stored event.Event, dup bool, err error) {
	o := newAppendOp([]event.Event{ev})
	if err := s.submitAppend(ctx, o); err != nil {
		return event.Event{}, false, err
	}
	if err := o.wait(ctx); err != nil {
		return event.Event{}, false, err
	}
	r := o.results[0]
	return r.Event, r.Dup, nil
}

// AppendMany stores evs like Append, in order, sharing commits with other
// writers; it is meant for imports and backfills. On error some of evs may
// have been stored; calling it again with the same events is safe when they
// have keys.
func (s *Store) AppendMany(ctx context.Context, evs []event.Event) ([]Result, error) {
	results := make([]Result, 0, len(evs))
	var inflight []*appendOp
	collect := func() error {
		if err := inflight[0].wait(ctx); err != nil {
			return err
		}
		results = append(results, inflight[0].results...)
		inflight = inflight[1:]
		return nil
	}
	for start := 0; start < len(evs); start += appendChunk {
		if len(inflight) == appendWindow {
			if err := collect(); err != nil {
				return nil, err
			}
		}
		o := newAppendOp(evs[start:min(start+appendChunk, len(evs))])
		if err := s.submitAppend(ctx, o); err != nil {
			return nil, err
		}
		inflight = append(inflight, o)
	}
	for len(inflight) > 0 {
		if err := collect(); err != nil {
			return nil, err
		}
	}
	return results, nil
}

// pending is an event ready for the log and bbolt: everything that can be
// computed without them is computed by the caller's goroutine.
type pending struct {
	ev    event.Event
	val   []byte // encodeEvent
	when  uint64
	fp    uint64 // fingerprint of the Key, when there is one
	parts []textPart
	ids   [2]textPart // campaign and lead ID; empty text for none
	seq   uint64      // given by the ingest goroutine; 0 for a duplicate
}

func prepare(ev event.Event) pending {
	ev.ID = ""
	if ev.ReceivedAt.IsZero() {
		ev.ReceivedAt = time.Now().UTC()
	}
	return prepared(ev, encodeEvent(&ev))
}

// prepared completes a pending event from ev and its encoding.
func prepared(ev event.Event, val []byte) pending {
	p := pending{
		ev: ev, val: val, when: whenKey(ev.When()), parts: searchParts(&ev),
		ids: [2]textPart{idPart(idCampaign, ev.CampaignID), idPart(idLead, ev.LeadID)},
	}
	if ev.Key != "" {
		p.fp = fingerprint(ev.Key)
	}
	return p
}

// stored is the event as Append returns it: with its ID.
func (p *pending) stored() event.Event {
	ev := p.ev
	ev.ID = formatID(p.seq)
	return ev
}

// appendOp is a request to the ingest goroutine: events to log, and their
// results once they are on disk.
type appendOp struct {
	items   []pending
	results []Result
	done    chan error
}

func newAppendOp(evs []event.Event) *appendOp {
	o := &appendOp{items: make([]pending, len(evs)), results: make([]Result, len(evs)), done: make(chan error, 1)}
	for i := range evs {
		o.items[i] = prepare(evs[i])
	}
	return o
}

func (o *appendOp) wait(ctx context.Context) error {
	select {
	case err := <-o.done:
		if err != nil {
			return fmt.Errorf("store: unable to save event: %w", err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// applyOp is a request to the writer: apply events that are in the log to
// bbolt. Nobody waits for it; its events were answered when they were
// logged, and reads see them meanwhile through the tail (ingest.go).
type applyOp struct {
	s     *Store
	items []*pending // in seq order
}

func (o *applyOp) size() int { return len(o.items) }

func (o *applyOp) apply(w *txn) error {
	for _, p := range o.items {
		if err := w.putEvent(p); err != nil {
			return err
		}
	}
	w.applied = o.items[len(o.items)-1].seq
	return nil
}

// finish is called once the commit holding the events is durable: they
// leave the tail, and the log may reuse their space.
func (o *applyOp) finish(err error) {
	if err != nil {
		return
	}
	o.s.tail.remove(o.items)
	o.s.applied.Store(o.items[len(o.items)-1].seq)
}

// putEvent writes p, whose seq is given, with its summary, journal record,
// counters and lead directory entry.
func (w *txn) putEvent(p *pending) error {
	seq := p.seq
	if err := w.events.Put(seqKey(seq), p.val); err != nil {
		return err
	}
	var ids [2]uint32
	var added [2]bool // the ID is new: a new campaign, a new lead
	var err error
	for i, part := range p.ids {
		if part.text != "" {
			if ids[i], added[i], err = w.internNew(part); err != nil {
				return err
			}
		}
	}
	refs := make([]uint32, 0, len(p.parts))
	for _, part := range p.parts {
		id, err := w.intern(part)
		if err != nil {
			return err
		}
		refs = append(refs, id)
	}
	ev := &p.ev
	sum := encodeSummary(eventFlags(ev), ev.Type, ids[0], ids[1], refs)
	if err := w.byTime.Put(timeKey(p.when, seq), sum); err != nil {
		return err
	}
	if err := w.noteLead(ids[1], added[1], seq, ev); err != nil {
		return err
	}
	if ev.Key != "" {
		if err := w.journal.addDedupe(dedupeEntry{p.fp, seq}); err != nil {
			return err
		}
	}
	w.countEvent(ev)
	return nil
}
