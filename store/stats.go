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
	if ev.ReceivedAt.After(w.stats.LastEventAt) {
		w.stats.LastEventAt = ev.ReceivedAt
	}
	w.statsDirty = true
}

// uncountEvent takes a deleted event of type typ off the counters.
func (w *txn) uncountEvent(typ event.Type, read bool) {
	w.stats.Counts[typ]--
	w.stats.Total--
	if typ == event.Replied && !read {
		w.stats.Unread--
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

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func readU64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
