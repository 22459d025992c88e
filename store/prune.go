package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// Pruning deletes old events of chosen types (opens, clicks, sends), for
// the retention settings. It walks the time index oldest first, in
// transactions of the writer that each delete at most pruneBatch events
// and read at most pruneScan summaries, so that ingest and reads are never
// held up behind one large transaction, and a crash between two of them
// leaves a consistent store with part of the work done.
//
// Each deleted event leaves every index consistent in its transaction: its
// record and its summary go, the counters (per type, total, unread) are
// decremented, and, when it has a Key, a tombstone (seq -> its type and a
// hash of the Key) goes into the "pruned" bucket. The dedupe index and the
// journal keep the event's (fingerprint, seq); a redelivery finds the seq,
// no event under it, and the tombstone, whose hash confirms the Key: it is
// answered as a duplicate of the pruned event and never stored again.
//
// Interned strings (strs, the string index) are kept. They are shared by
// the events of a lead, a campaign or a subject and carry no reference
// count, so none can be known unused without a walk of every summary; a
// string that no summary refers to any more only costs a search the bytes
// it reads, and it matches no event. LastEventAt stays the latest arrival
// ever seen.
const (
	pruneBatch = 1000
	pruneScan  = 16 << 10
	// tombstoneHashLen is how much of sha256(Key) a tombstone keeps.
	tombstoneHashLen = 16
)

// ErrKeepReplies is returned by Prune when asked to delete replies, which
// are kept until the user deletes them (Delete).
var ErrKeepReplies = errors.New("store: replies are never pruned")

// ErrKeepCategories is returned by Prune when asked to delete category
// updates (LEAD_CATEGORY_UPDATED), which are kept like replies: they are
// few, and a lead's category is that of its newest one (leads.go).
var ErrKeepCategories = errors.New("store: category updates are never pruned")

// Prune deletes the events of each type in before whose time (Event.When)
// is before the type's cutoff; a zero cutoff keeps the type. Replies and
// category updates are never pruned (ErrKeepReplies, ErrKeepCategories). It returns
// how many it deleted of each type. It works in bounded transactions (see
// above): when ctx ends or the store closes it stops between two of them,
// returning what it did so far and the reason. Events appended but not yet
// applied to bbolt are left for the next call.
func (s *Store) Prune(ctx context.Context, before map[event.Type]time.Time) (map[event.Type]int, error) {
	deleted := map[event.Type]int{}
	cuts := map[event.Type]uint64{}
	var horizon uint64
	for t, at := range before {
		if at.IsZero() {
			continue
		}
		switch t {
		case event.Replied:
			return deleted, ErrKeepReplies
		case event.CategoryUpdated:
			return deleted, ErrKeepCategories
		}
		cuts[t] = whenKey(at)
		horizon = max(horizon, cuts[t])
	}
	if len(cuts) == 0 {
		return deleted, nil
	}
	var from []byte
	for {
		if err := ctx.Err(); err != nil {
			return deleted, err
		}
		o := &pruneOp{cuts: cuts, horizon: horizon, from: from, limit: s.pruneBatch, done: make(chan error, 1)}
		if err := s.submit(ctx, o); err != nil {
			return deleted, err
		}
		if err := <-o.done; err != nil {
			return deleted, fmt.Errorf("store: unable to prune events: %w", err)
		}
		for t, n := range o.deleted {
			deleted[t] += n
		}
		if s.afterPrune != nil {
			s.afterPrune(o.deleted)
		}
		if o.finished {
			return deleted, nil
		}
		from = o.next
	}
}

// pruneOp is one transaction's worth of pruning.
type pruneOp struct {
	cuts    map[event.Type]uint64 // type -> when key cutoff
	horizon uint64                // the latest cutoff
	from    []byte                // resume after this time key; nil from the start
	limit   int

	// The outcome, set by apply.
	deleted  map[event.Type]int
	next     []byte
	finished bool
	done     chan error
}

func (o *pruneOp) size() int        { return o.limit }
func (o *pruneOp) finish(err error) { o.done <- err }

// victim is an event a pruneOp deletes.
type victim struct {
	tk    []byte
	seq   uint64
	typ   event.Type
	flags byte   // as in its summary
	lead  uint32 // the string id of its lead ID, 0 for none
}

func (o *pruneOp) apply(w *txn) error {
	// A failed batch is retried alone: start from scratch.
	o.deleted, o.next, o.finished = map[event.Type]int{}, nil, false
	var victims []victim
	c := w.byTime.Cursor()
	k, v := c.First()
	if o.from != nil {
		if k, v = c.Seek(o.from); k != nil && bytes.Equal(k, o.from) {
			k, v = c.Next()
		}
	}
	for scanned := 0; ; k, v = c.Next() {
		if k == nil || binary.BigEndian.Uint64(k) >= o.horizon {
			o.finished = true
			break
		}
		if scanned == pruneScan || len(victims) == o.limit {
			break
		}
		scanned++
		o.next = append(o.next[:0], k...)
		sum, ok := parseSummary(v)
		if len(k) != 16 || !ok {
			continue
		}
		typ := summaryType(sum)
		if cut, ok := o.cuts[typ]; ok && binary.BigEndian.Uint64(k) < cut {
			victims = append(victims, victim{tk: bytes.Clone(k), seq: binary.BigEndian.Uint64(k[8:]), typ: typ, flags: sum.flags, lead: sum.lead})
		}
	}
	for _, vi := range victims {
		if err := w.deleteEvent(vi); err != nil {
			return err
		}
		o.deleted[vi.typ]++
	}
	return nil
}

// summaryType is the event type a summary records.
func summaryType(sum summary) event.Type {
	if sum.code == 0 {
		return event.Type(sum.typ)
	}
	if t, ok := codeTypes[sum.code]; ok {
		return t
	}
	return event.Other
}

// deleteEvent removes an event's record and summary, leaves a tombstone
// for its Key and takes it off the counters. Its lead's directory record
// keeps what the event told of the lead, copying the strings if it named
// the event for them, except a category only the event set (leads.go).
func (w *txn) deleteEvent(vi victim) error {
	sk := seqKey(vi.seq)
	if rec := w.events.Get(sk); rec != nil {
		ev, err := decodeEvent(vi.seq, rec, false)
		if err != nil {
			return err
		}
		if vi.lead != 0 && hasIdentity(&ev) {
			if err := w.forgetEvent(vi.lead, vi.seq, rec); err != nil {
				return err
			}
		}
		if ev.Key != "" {
			if err := w.pruned.Put(sk, encodeTombstone(ev.Type, ev.Key)); err != nil {
				return err
			}
		}
		snoozed := len(rec) > 1 && rec[1]&flagSnoozed != 0
		triaged := len(rec) > 1 && rec[1]&triageMask != 0
		if err := w.events.Delete(sk); err != nil {
			return err
		}
		if snoozed {
			if err := w.tx.Bucket(bucketSnoozes).Delete(sk); err != nil {
				return err
			}
		}
		if triaged {
			if err := w.tx.Bucket(bucketTriage).Delete(sk); err != nil {
				return err
			}
		}
	}
	if err := w.byTime.Delete(vi.tk); err != nil {
		return err
	}
	w.uncountEvent(vi.typ, vi.flags)
	if vi.lead != 0 && vi.typ == event.CategoryUpdated {
		return w.unsetCategory(vi.lead, vi.seq)
	}
	return nil
}

// A tombstone is the value of a "pruned" entry: the type as a uvarint
// prefixed string, then the first tombstoneHashLen bytes of sha256(Key).
func encodeTombstone(typ event.Type, key string) []byte {
	sum := sha256.Sum256([]byte(key))
	b := appendString(make([]byte, 0, 1+len(typ)+tombstoneHashLen), string(typ))
	return append(b, sum[:tombstoneHashLen]...)
}

// prunedEvent returns what is left of the pruned event seq if its Key was
// key: an Event with only ID, Type and Key. ErrNotFound otherwise.
func prunedEvent(tx *bolt.Tx, seq uint64, key string) (event.Event, error) {
	v := tx.Bucket(bucketPruned).Get(seqKey(seq))
	n, k := binary.Uvarint(v)
	if k <= 0 || uint64(len(v)-k) != n+tombstoneHashLen {
		return event.Event{}, ErrNotFound
	}
	sum := sha256.Sum256([]byte(key))
	if !bytes.Equal(v[k+int(n):], sum[:tombstoneHashLen]) {
		return event.Event{}, ErrNotFound
	}
	return event.Event{ID: formatID(seq), Type: event.Type(v[k : k+int(n)]), Key: key}, nil
}
