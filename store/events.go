package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// Event returns the event with the given id, including Raw, completed from
// its lead's directory entry (leads.go). An event that Append has returned
// is found at once, also while it is still only in the log (see ingest.go).
func (s *Store) Event(id string) (event.Event, error) {
	seq, ok := parseID(id)
	if !ok {
		return event.Event{}, fmt.Errorf("%w: event %q", ErrNotFound, id)
	}
	var ev event.Event
	if p, ok := s.tail.get(seq); ok {
		ev = p.stored()
	} else {
		// Not in the tail: either applied by a commit that happened before
		// the read transaction below starts, or not stored.
		err := s.viewNow(func(tx *bolt.Tx) error {
			var err error
			ev, err = getEvent(tx, seq, true)
			return err
		})
		switch {
		case errors.Is(err, ErrNotFound):
			return event.Event{}, fmt.Errorf("%w: event %q", ErrNotFound, id)
		case err != nil:
			return event.Event{}, fmt.Errorf("store: unable to read event %q: %w", id, err)
		}
	}
	// The lead as of now, its events in the tail included.
	lead, ok, err := s.currentLead(ev.LeadID)
	if err != nil {
		return event.Event{}, fmt.Errorf("store: unable to read event %q: %w", id, err)
	}
	if ok {
		lead.fill(&ev)
	}
	return ev, nil
}

// getEvent reads one event; ErrNotFound if there is none.
func getEvent(tx *bolt.Tx, seq uint64, withRaw bool) (event.Event, error) {
	v := tx.Bucket(bucketEvents).Get(seqKey(seq))
	if v == nil {
		return event.Event{}, ErrNotFound
	}
	ev, err := decodeEvent(seq, v, withRaw)
	if err != nil || len(v) < 2 {
		return ev, err
	}
	if v[1]&flagSnoozed != 0 {
		ev.SnoozedUntil = snoozedUntil(tx, seq)
	}
	if ev.Triage = triageClass(v[1]); ev.Triage != "" {
		ev.TriageReason = triageReason(tx, seq)
	}
	return ev, nil
}

func (w *txn) loadEvent(seq uint64) (event.Event, error) {
	return getEvent(w.tx, seq, true)
}

// After returns up to limit events (DefaultLimit when zero or less, at most
// MaxLimit) whose ID is greater than id, oldest first, without Raw and
// completed from the lead directory like every read (leads.go): what a
// live stream missed while disconnected. An empty id starts from the first
// event; a malformed one fails with ErrBadCursor.
func (s *Store) After(id string, limit int) ([]event.Event, error) {
	var from uint64 = 1
	if id != "" {
		// "0" is the id before the first event (LastID of an empty store).
		seq, err := strconv.ParseUint(id, 10, 64)
		if err != nil || seq == math.MaxUint64 {
			return nil, fmt.Errorf("%w: id %q", ErrBadCursor, id)
		}
		from = seq + 1
	}
	limit = clampLimit(limit)
	var evs []event.Event
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.Seek(seqKey(from)); k != nil && len(evs) < limit; k, v = c.Next() {
			ev, err := decodeEvent(binary.BigEndian.Uint64(k), v, false)
			if err != nil {
				return err
			}
			evs = append(evs, ev)
		}
		newLeadReader(tx, s.readLookup, len(evs)).fillAll(evs, nil)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to read events: %w", err)
	}
	return evs, nil
}

// LastID returns the ID of the newest event by arrival, or "0" when the
// store is empty: where a live stream starts so that After misses nothing.
func (s *Store) LastID() (string, error) {
	var id uint64
	err := s.view(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketEvents).Cursor().Last(); k != nil {
			id = binary.BigEndian.Uint64(k)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("store: unable to read the last event: %w", err)
	}
	return strconv.FormatUint(id, 10), nil
}

// LeadEvents returns a lead's events oldest first, without Raw, completed
// from the lead's directory entry (leads.go). When the lead has more than
// limit events (DefaultLimit when zero or less, at most MaxLimit) it
// returns the latest limit of them. There is no per-lead index (see
// doc.go): a lead with few events costs a walk of the time index.
func (s *Store) LeadEvents(leadID string, limit int) ([]event.Event, error) {
	limit = clampLimit(limit)
	evs := []event.Event{}
	if leadID == "" {
		return evs, nil
	}
	err := s.view(func(tx *bolt.Tx) error {
		p, none := newPlan(tx, Query{Lead: leadID}, s.readLookup)
		if none {
			return nil
		}
		var seqs []uint64
		p.scan(nil, func(tk, _ []byte) bool {
			seqs = append(seqs, binary.BigEndian.Uint64(tk[8:]))
			return len(seqs) < limit
		})
		slices.Reverse(seqs)
		var err error
		if evs, err = loadEvents(tx, seqs); err != nil {
			return err
		}
		newLeadReader(tx, s.readLookup, 1).fillAll(evs, nil)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to read lead events: %w", err)
	}
	return evs, nil
}

// SetRead marks the event read or unread and returns it (without Raw,
// completed from the lead directory). Setting the state it already has
// changes nothing.
func (s *Store) SetRead(id string, read bool) (event.Event, error) {
	seq, ok := parseID(id)
	if !ok {
		return event.Event{}, fmt.Errorf("%w: event %q", ErrNotFound, id)
	}
	o := &readOp{seq: seq, read: read, done: make(chan error, 1)}
	if err := s.submit(context.Background(), o); err != nil {
		return event.Event{}, err
	}
	if err := <-o.done; err != nil {
		return event.Event{}, fmt.Errorf("store: unable to mark event %q: %w", id, err)
	}
	if errors.Is(o.err, ErrNotFound) {
		return event.Event{}, fmt.Errorf("%w: event %q", ErrNotFound, id)
	}
	if o.err != nil {
		return event.Event{}, fmt.Errorf("store: unable to mark event %q: %w", id, o.err)
	}
	return o.ev, nil
}

type readOp struct {
	seq  uint64
	read bool
	ev   event.Event
	err  error // the request's own outcome, such as ErrNotFound
	done chan error
}

func (o *readOp) size() int        { return 1 }
func (o *readOp) finish(err error) { o.done <- err }

func (o *readOp) apply(w *txn) error {
	ev, err := getEvent(w.tx, o.seq, false)
	o.ev, o.err = ev, err
	if err != nil {
		return nil
	}
	newLeadReader(w.tx, w.lookup, 1).fill(&o.ev, 0)
	if ev.Read == o.read {
		return nil
	}
	o.ev.Read = o.read
	return w.setRead(o.seq, o.read)
}

// setRead flips the read flag of an event in its record and its summary and
// updates the unread counter. The caller has checked that it changes.
func (w *txn) setRead(seq uint64, read bool) error {
	sk := seqKey(seq)
	v := w.events.Get(sk)
	if len(v) < eventHeaderLen {
		return fmt.Errorf("%w: event %d", errCorrupt, seq)
	}
	ev := bytes.Clone(v)
	ev[1] = setFlag(ev[1], flagRead, read)
	tk := timeKey(binary.BigEndian.Uint64(ev[2:10]), seq)
	sum, ok := parseSummary(w.byTime.Get(tk))
	if !ok {
		return fmt.Errorf("%w: summary of event %d", errCorrupt, seq)
	}
	replied := sum.isType(event.Replied)
	sv := bytes.Clone(w.byTime.Get(tk))
	w.recountFlags(replied, sv[0], setFlag(sv[0], flagRead, read))
	sv[0] = setFlag(sv[0], flagRead, read)
	if err := w.events.Put(sk, ev); err != nil {
		return err
	}
	if err := w.byTime.Put(tk, sv); err != nil {
		return err
	}
	if replied {
		w.countRead(event.Replied, read)
	}
	return nil
}

func setFlag(flags, flag byte, on bool) byte {
	if on {
		return flags | flag
	}
	return flags &^ flag
}

// MarkAllRead marks every unread event matching q read (q.Limit and
// q.Before are ignored) and returns how many changed.
func (s *Store) MarkAllRead(q Query) (int, error) {
	o := &markAllOp{q: q, done: make(chan error, 1)}
	if err := s.submit(context.Background(), o); err != nil {
		return 0, err
	}
	if err := <-o.done; err != nil {
		return 0, fmt.Errorf("store: unable to mark events read: %w", err)
	}
	return o.n, nil
}

type markAllOp struct {
	q    Query
	n    int
	done chan error
}

func (o *markAllOp) size() int        { return 1 }
func (o *markAllOp) finish(err error) { o.done <- err }

func (o *markAllOp) apply(w *txn) error {
	o.n = 0
	q := o.q
	q.Unread = true
	p, none := newPlan(w.tx, q, w.lookup)
	if none {
		return nil
	}
	var seqs []uint64
	p.scan(nil, func(tk, _ []byte) bool {
		seqs = append(seqs, binary.BigEndian.Uint64(tk[8:]))
		return true
	})
	for _, seq := range seqs {
		if err := w.setRead(seq, true); err != nil {
			return err
		}
	}
	o.n = len(seqs)
	return nil
}
