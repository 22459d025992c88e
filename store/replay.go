package store

import (
	"fmt"
)

// replay applies to bbolt the logged events that it does not have: those
// answered before a crash but not yet applied (see ingest.go). The events
// bucket's sequence is the checkpoint: a commit that applies logged events
// sets it to the highest of them, so replaying applies each event once. It
// runs in Open, before the goroutines start, and commits in the writer's
// way, fsync'd.
func (s *Store) replay() error {
	recs, dropped, err := s.wal.read(s.seq)
	if err != nil {
		return err
	}
	if dropped > 0 {
		s.log.Warn("store: the log has records past a gap, which are ignored", "records", dropped)
	}
	for len(recs) > 0 {
		chunk := recs[:min(len(recs), maxBatch)]
		recs = recs[len(chunk):]
		items := make([]*pending, len(chunk))
		for i, r := range chunk {
			ev, err := decodeEvent(r.seq, r.payload, true)
			if err != nil {
				return fmt.Errorf("store: unable to replay the log: %w", err)
			}
			ev.ID = ""
			p := prepared(ev, r.payload)
			p.seq = r.seq
			items[i] = &p
		}
		b := s.beginBatch()
		b.add(&applyOp{s: s, items: items})
		if err := b.commit(); err != nil {
			return fmt.Errorf("store: unable to replay the log: %w", err)
		}
		for _, p := range items {
			if p.ev.Key != "" {
				s.dd.add(dedupeEntry{p.fp, p.seq})
			}
		}
		s.seq = items[len(items)-1].seq
		s.log.Info("store: replayed events from the log", "events", len(items))
	}
	if dropped > 0 {
		// Records of a later turn must never be read as a continuation
		// of these.
		return s.wal.wipe()
	}
	return nil
}
