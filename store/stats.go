package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"maps"
	"time"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// Keys of the meta bucket. The counters are updated in the same transaction
// as the events they count, so they are never out of step with them.
var (
	metaSchema  = []byte("schema")
	metaTotal   = []byte("total")
	metaUnread  = []byte("unread")
	metaLastAt  = []byte("last_at")
	metaCountOf = []byte("count:") // followed by the event type
	metaNeeds   = []byte("needs_you")
)

// Stats are the store's counters. Reading them costs O(1): they are kept up
// to date by every write and also held in memory.
type Stats struct {
	// Counts is the number of stored events of each type.
	Counts map[event.Type]int `json:"counts"`
	// Total is the number of stored events.
	Total int `json:"total"`
	// Unread is the number of unread EMAIL_REPLIED events.
	Unread int `json:"unread"`
	// NeedsYou is the number of replies that need the user (needsYou):
	// unread, not done, not snoozed, not an out-of-office or automatic
	// reply.
	NeedsYou int `json:"needs_you"`
	// LastEventAt is the latest ReceivedAt of a stored event.
	LastEventAt time.Time `json:"last_event_at,omitzero"`
}

func (st Stats) clone() Stats {
	st.Counts = maps.Clone(st.Counts)
	if st.Counts == nil {
		st.Counts = make(map[event.Type]int)
	}
	return st
}

// Stats returns the counters, counting every event appended before the
// call.
func (s *Store) Stats() (Stats, error) {
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return Stats{}, ErrClosed
	}
	s.awaitApplied()
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	return s.stats.clone(), nil
}

// countEvent adds a newly stored event to the counters.
func (w *txn) countEvent(ev *event.Event) {
	w.stats.Counts[ev.Type]++
	w.stats.Total++
	if ev.Type == event.Replied && !ev.Read {
		w.stats.Unread++
	}
	if needsYou(ev.Type == event.Replied, eventFlags(ev)) {
		w.stats.NeedsYou++
	}
	if ev.ReceivedAt.After(w.stats.LastEventAt) {
		w.stats.LastEventAt = ev.ReceivedAt
	}
	w.statsDirty = true
}

// uncountEvent takes a deleted event of type typ, with flags, off the
// counters.
func (w *txn) uncountEvent(typ event.Type, flags byte) {
	w.stats.Counts[typ]--
	w.stats.Total--
	if typ == event.Replied && flags&flagRead == 0 {
		w.stats.Unread--
	}
	if needsYou(typ == event.Replied, flags) {
		w.stats.NeedsYou--
	}
	w.statsDirty = true
}

// needsYou reports whether an event, a reply or not, with flags needs the
// user: an unread reply, not done, not snoozed, that is not an
// out-of-office or automatic reply.
func needsYou(reply bool, flags byte) bool {
	if !reply || flags&(flagRead|flagDone|flagSnoozed) != 0 {
		return false
	}
	c := triageClass(flags)
	return c != "out_of_office" && c != "auto_reply"
}

// recountFlags keeps NeedsYou right when an event's flags change from
// before to after.
func (w *txn) recountFlags(reply bool, before, after byte) {
	switch was, is := needsYou(reply, before), needsYou(reply, after); {
	case was && !is:
		w.stats.NeedsYou--
	case is && !was:
		w.stats.NeedsYou++
	default:
		return
	}
	w.statsDirty = true
}

// countRead records that an event of type typ changed its read state.
func (w *txn) countRead(typ event.Type, read bool) {
	if typ != event.Replied {
		return
	}
	if read {
		w.stats.Unread--
	} else {
		w.stats.Unread++
	}
	w.statsDirty = true
}

func saveStats(meta *bolt.Bucket, st Stats) error {
	var err error
	put := func(k, v []byte) {
		if err == nil {
			err = meta.Put(k, v)
		}
	}
	put(metaTotal, u64(uint64(st.Total)))
	put(metaUnread, u64(uint64(st.Unread)))
	put(metaNeeds, u64(uint64(max(st.NeedsYou, 0))))
	if !st.LastEventAt.IsZero() {
		v, merr := st.LastEventAt.MarshalBinary()
		if merr != nil {
			v, _ = st.LastEventAt.UTC().MarshalBinary()
		}
		put(metaLastAt, v)
	}
	for typ, n := range st.Counts {
		k := append(bytes.Clone(metaCountOf), typ...)
		if n > 0 {
			put(k, u64(uint64(n)))
			continue
		}
		// The last event of a type was deleted (prune.go): the counters
		// read as if it had never been stored.
		delete(st.Counts, typ)
		if err == nil {
			err = meta.Delete(k)
		}
	}
	return err
}

func loadStats(meta *bolt.Bucket) (Stats, error) {
	st := Stats{Counts: make(map[event.Type]int)}
	if v := meta.Get(metaTotal); len(v) == 8 {
		st.Total = int(readU64(v))
	}
	if v := meta.Get(metaUnread); len(v) == 8 {
		st.Unread = int(readU64(v))
	}
	if v := meta.Get(metaNeeds); len(v) == 8 {
		st.NeedsYou = int(readU64(v))
	}
	if v := meta.Get(metaLastAt); v != nil {
		if err := st.LastEventAt.UnmarshalBinary(v); err != nil {
			return st, err
		}
	}
	c := meta.Cursor()
	for k, v := c.Seek(metaCountOf); k != nil && bytes.HasPrefix(k, metaCountOf); k, v = c.Next() {
		if len(v) != 8 {
			return st, errors.New("bad counter")
		}
		st.Counts[event.Type(k[len(metaCountOf):])] = int(readU64(v))
	}
	return st, nil
}

// countNeedsYou counts the replies that need the user once, in a file
// from before the counter: a walk of the time index.
func countNeedsYou(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta.Get(metaNeeds) != nil {
		return nil
	}
	n := 0
	err := tx.Bucket(bucketByTime).ForEach(func(_, v []byte) error {
		if sum, ok := parseSummary(v); ok && needsYou(sum.isType(event.Replied), sum.flags) {
			n++
		}
		return nil
	})
	if err != nil {
		return err
	}
	return meta.Put(metaNeeds, u64(uint64(n)))
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func readU64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
