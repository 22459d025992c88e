package store

import (
	"context"
	"fmt"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
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
	Event smartlead.Event
	// Dup is true when an event with the same Key was already stored.
	Dup bool
}

// Append stores ev and returns once it is committed and on disk. If an event
// with the same ev.Key is already stored it stores nothing and returns that
// event with dup=true; an empty Key is never a duplicate. The stored event
// gets an ID, the decimal form of a sequence number that grows in arrival
// order; ev.ReceivedAt is kept, or set to now when zero.
//
// If ctx ends first, Append returns ctx.Err(), but the event may still be
// committed: the caller cannot take that error to mean "not stored".
func (s *Store) Append(ctx context.Context, ev smartlead.Event) (stored smartlead.Event, dup bool, err error) {
	o := newAppendOp([]smartlead.Event{ev})
	if err := s.submit(ctx, o); err != nil {
		return smartlead.Event{}, false, err
	}
	if err := o.wait(ctx); err != nil {
		return smartlead.Event{}, false, err
	}
	r := o.results[0]
	return r.Event, r.Dup, nil
}

// AppendMany stores evs like Append, in order, sharing commits with other
// writers; it is meant for imports and backfills. On error some of evs may
// have been stored; calling it again with the same events is safe when they
// have keys.
func (s *Store) AppendMany(ctx context.Context, evs []smartlead.Event) ([]Result, error) {
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
		if err := s.submit(ctx, o); err != nil {
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

// pending is an event ready for the writer: everything that can be computed
// without the database is computed by the caller's goroutine.
type pending struct {
	ev    smartlead.Event
	val   []byte // encodeEvent
	when  uint64
	fp    uint64 // fingerprint of the Key, when there is one
	parts []textPart
	ids   [2]textPart // campaign and lead ID; empty text for none
}

func prepare(ev smartlead.Event) pending {
	ev.ID = ""
	if ev.ReceivedAt.IsZero() {
		ev.ReceivedAt = time.Now().UTC()
	}
	p := pending{
		ev: ev, val: encodeEvent(&ev), when: whenKey(ev.When()), parts: searchParts(&ev),
		ids: [2]textPart{idPart(idCampaign, ev.CampaignID), idPart(idLead, ev.LeadID)},
	}
	if ev.Key != "" {
		p.fp = fingerprint(ev.Key)
	}
	return p
}

type appendOp struct {
	items   []pending
	results []Result
	done    chan error
}

func newAppendOp(evs []smartlead.Event) *appendOp {
	o := &appendOp{items: make([]pending, len(evs)), done: make(chan error, 1)}
	for i := range evs {
		o.items[i] = prepare(evs[i])
	}
	return o
}

func (o *appendOp) size() int { return len(o.items) }

func (o *appendOp) apply(w *txn) error {
	o.results = o.results[:0]
	for i := range o.items {
		r, err := w.storeEvent(&o.items[i])
		if err != nil {
			return err
		}
		o.results = append(o.results, r)
	}
	return nil
}

func (o *appendOp) finish(err error) { o.done <- err }

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

// storeEvent writes p unless its key is already stored. A duplicate within
// the same batch is found too: the transaction sees its own writes.
func (w *txn) storeEvent(p *pending) (Result, error) {
	if p.ev.Key != "" {
		seq, found, err := w.findDup(p.ev.Key, p.fp)
		if err != nil {
			return Result{}, err
		}
		if found {
			ev, err := w.loadEvent(seq)
			return Result{Event: ev, Dup: true}, err
		}
	}
	seq, err := w.events.NextSequence()
	if err != nil {
		return Result{}, err
	}
	if err := w.events.Put(seqKey(seq), p.val); err != nil {
		return Result{}, err
	}
	var ids [2]uint32
	for i, part := range p.ids {
		if part.text != "" {
			if ids[i], err = w.intern(part); err != nil {
				return Result{}, err
			}
		}
	}
	refs := make([]uint32, 0, len(p.parts))
	for _, part := range p.parts {
		id, err := w.intern(part)
		if err != nil {
			return Result{}, err
		}
		refs = append(refs, id)
	}
	ev := &p.ev
	sum := encodeSummary(eventFlags(ev), ev.Type, ids[0], ids[1], refs)
	if err := w.byTime.Put(timeKey(p.when, seq), sum); err != nil {
		return Result{}, err
	}
	if ev.Key != "" {
		if err := w.logDedupe(dedupeEntry{p.fp, seq}); err != nil {
			return Result{}, err
		}
	}
	w.countEvent(ev)
	stored := *ev
	stored.ID = formatID(seq)
	return Result{Event: stored}, nil
}
