package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
)

// Deleting one event is the user's way to be rid of a reply, which Prune
// never deletes. It is Prune's deletion applied to a single event, in one
// transaction of the writer: the record and the summary go, the counters
// are decremented and a tombstone keeps the Key's hash, so a redelivery of
// the event is answered as a duplicate and never stored again (prune.go).
//
// An event Append has just answered may be only in the log. Append answers
// after handing its applyOp to the writer, whose queue is first in, first
// out, and a batch applies its requests in order, so a Delete that follows
// the Append finds the event applied. Should the Delete reach the writer
// first anyway (it learned the id from a read of the tail while the
// applyOp waited for room in the queue, or bbolt failed to apply the event
// and the writer retries it later), the event was in the tail when Delete
// began: Delete then waits until the writer has applied it and tries once
// more.

// errNotApplied is why Delete fails when the event is in the log but the
// writer cannot apply it to bbolt for now; trying again later may work.
var errNotApplied = errors.New("store: event not applied to the database yet")

// Delete removes the event with the given id for good, keeping every index
// and counter in step, and leaves a tombstone so that a redelivery of the
// event is a duplicate. It returns ErrNotFound (wrapped) when there is no
// such event, also when it was deleted or pruned already.
func (s *Store) Delete(id string) error {
	seq, ok := parseID(id)
	if !ok {
		return fmt.Errorf("%w: event %q", ErrNotFound, id)
	}
	// The tail holds exactly the events logged but not applied yet.
	_, logged := s.tail.get(seq)
	for attempt := 0; ; attempt++ {
		o := &deleteOp{seq: seq, done: make(chan error, 1)}
		if err := s.submit(context.Background(), o); err != nil {
			return err
		}
		if err := <-o.done; err != nil {
			return fmt.Errorf("store: unable to delete event %q: %w", id, err)
		}
		switch {
		case o.found:
			return nil
		case !logged:
			return fmt.Errorf("%w: event %q", ErrNotFound, id)
		case attempt > 0:
			// The event was only in the log when Delete began, and the
			// writer could not apply it before the second request.
			if _, ok := s.tail.get(seq); ok {
				return fmt.Errorf("store: unable to delete event %q: %w", id, errNotApplied)
			}
			return fmt.Errorf("%w: event %q", ErrNotFound, id)
		}
		s.waitApplied(seq)
	}
}

// deleteOp deletes one event.
type deleteOp struct {
	seq   uint64
	found bool // the outcome: false when there is no such event in bbolt
	done  chan error
}

func (o *deleteOp) size() int        { return 1 }
func (o *deleteOp) finish(err error) { o.done <- err }

func (o *deleteOp) apply(w *txn) error {
	v := w.events.Get(seqKey(o.seq))
	o.found = v != nil
	if v == nil {
		return nil
	}
	ev, err := decodeEvent(o.seq, v, false)
	if err != nil {
		return err
	}
	// The record's header holds the event's time key (codec.go), which
	// finds its summary.
	tk := timeKey(binary.BigEndian.Uint64(v[2:eventHeaderLen]), o.seq)
	sum := w.byTime.Get(tk)
	if sum == nil {
		return fmt.Errorf("%w: summary of event %d", errCorrupt, o.seq)
	}
	return w.deleteEvent(victim{tk: tk, seq: o.seq, typ: ev.Type, flags: sum[0], lead: summaryLead(sum)})
}
