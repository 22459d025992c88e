package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/leadbell/leadbell/event"
)

// The reply desk's marks on an event: done (the user is finished with it)
// and snoozed (out of the way until a time, then back unread). Each is a
// flag in the event's record and its summary, so a query filters on it
// without reading anything else; a snooze's time is in bucket "snoozes",
// seq (8) -> until (8, Unix nanoseconds), which the desk reads for the
// next one due.

var bucketSnoozes = []byte("snoozes")

// SetDone marks the event done or not and returns it, as SetRead does.
func (s *Store) SetDone(id string, done bool) (event.Event, error) {
	return s.mark(id, "mark event done", func(w *txn, ev *event.Event) error {
		ev.Done = done
		return w.setFlags(ev, flagDone, done)
	})
}

// Snooze hides the event until until, when the desk wakes it (Wake); a
// zero until ends a snooze at once, leaving the event as it is.
func (s *Store) Snooze(id string, until time.Time) (event.Event, error) {
	return s.mark(id, "snooze event", func(w *txn, ev *event.Event) error {
		seq, _ := parseID(ev.ID)
		b := w.tx.Bucket(bucketSnoozes)
		if until.IsZero() {
			ev.SnoozedUntil = time.Time{}
			if err := b.Delete(seqKey(seq)); err != nil {
				return err
			}
			return w.setFlags(ev, flagSnoozed, false)
		}
		ev.SnoozedUntil = until.UTC()
		if err := b.Put(seqKey(seq), binary.BigEndian.AppendUint64(nil, uint64(until.UnixNano()))); err != nil {
			return err
		}
		return w.setFlags(ev, flagSnoozed, true)
	})
}

// Wake ends the event's snooze and marks it unread: it is back in the
// inbox as new. An event not snoozed is left as it is (woken reports
// false), so that a snooze the user ended meanwhile is not undone.
func (s *Store) Wake(id string) (ev event.Event, woken bool, err error) {
	ev, err = s.mark(id, "wake event", func(w *txn, ev *event.Event) error {
		seq, _ := parseID(ev.ID)
		if err := w.tx.Bucket(bucketSnoozes).Delete(seqKey(seq)); err != nil {
			return err
		}
		if ev.SnoozedUntil.IsZero() {
			return w.setFlags(ev, flagSnoozed, false) // a flag without its time: clear it
		}
		woken = true
		ev.SnoozedUntil = time.Time{}
		if err := w.setFlags(ev, flagSnoozed, false); err != nil {
			return err
		}
		if ev.Read {
			ev.Read = false
			return w.setRead(seq, false)
		}
		return nil
	})
	return ev, woken, err
}

// NextSnooze is the snoozed event that comes back first and when; ok is
// false when none is snoozed.
func (s *Store) NextSnooze() (id string, until time.Time, ok bool, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSnoozes).ForEach(func(k, v []byte) error {
			if len(k) != 8 || len(v) != 8 {
				return nil
			}
			at := time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
			if !ok || at.Before(until) {
				id, until, ok = formatID(binary.BigEndian.Uint64(k)), at, true
			}
			return nil
		})
	})
	if err != nil {
		return "", time.Time{}, false, fmt.Errorf("store: unable to read the snoozed events: %w", err)
	}
	return id, until, ok, nil
}

// snoozedUntil is when the snoozed event seq comes back; zero if unknown.
func snoozedUntil(tx *bolt.Tx, seq uint64) time.Time {
	b := tx.Bucket(bucketSnoozes)
	if b == nil {
		return time.Time{}
	}
	v := b.Get(seqKey(seq))
	if len(v) != 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
}

// mark changes an event in one transaction of the writer: change gets the
// event as stored (without Raw, completed from the lead directory) and
// updates it as it changes it; mark returns it.
func (s *Store) mark(id, what string, change func(w *txn, ev *event.Event) error) (event.Event, error) {
	seq, ok := parseID(id)
	if !ok {
		return event.Event{}, fmt.Errorf("%w: event %q", ErrNotFound, id)
	}
	o := &markOp{seq: seq, change: change, done: make(chan error, 1)}
	if err := s.submit(context.Background(), o); err != nil {
		return event.Event{}, err
	}
	if err := <-o.done; err != nil {
		return event.Event{}, fmt.Errorf("store: unable to %s %q: %w", what, id, err)
	}
	if errors.Is(o.err, ErrNotFound) {
		return event.Event{}, fmt.Errorf("%w: event %q", ErrNotFound, id)
	}
	if o.err != nil {
		return event.Event{}, fmt.Errorf("store: unable to %s %q: %w", what, id, o.err)
	}
	return o.ev, nil
}

type markOp struct {
	seq    uint64
	change func(w *txn, ev *event.Event) error
	ev     event.Event
	err    error // the request's own outcome, such as ErrNotFound
	done   chan error
}

func (o *markOp) size() int        { return 1 }
func (o *markOp) finish(err error) { o.done <- err }

func (o *markOp) apply(w *txn) error {
	ev, err := getEvent(w.tx, o.seq, false)
	o.ev, o.err = ev, err
	if err != nil {
		return nil
	}
	newLeadReader(w.tx, w.lookup, 1).fill(&o.ev, 0)
	return o.change(w, &o.ev)
}

// setFlags sets or clears flag in ev's record and summary.
func (w *txn) setFlags(ev *event.Event, flag byte, on bool) error {
	seq, _ := parseID(ev.ID)
	sk := seqKey(seq)
	v := w.events.Get(sk)
	if len(v) < eventHeaderLen {
		return fmt.Errorf("%w: event %d", errCorrupt, seq)
	}
	if (v[1]&flag != 0) == on {
		return nil
	}
	rec := bytes.Clone(v)
	rec[1] = setFlag(rec[1], flag, on)
	tk := timeKey(binary.BigEndian.Uint64(rec[2:10]), seq)
	sv := bytes.Clone(w.byTime.Get(tk))
	sum, ok := parseSummary(sv)
	if !ok {
		return fmt.Errorf("%w: summary of event %d", errCorrupt, seq)
	}
	w.recountFlags(sum.isType(event.Replied), sv[0], setFlag(sv[0], flag, on))
	sv[0] = setFlag(sv[0], flag, on)
	if err := w.events.Put(sk, rec); err != nil {
		return err
	}
	return w.byTime.Put(tk, sv)
}
