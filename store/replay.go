package store

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// replay applies to bbolt the logged events that it does not have: those
// answered before a crash but not yet applied (see ingest.go). The events
// bucket's sequence is the checkpoint: a commit that applies logged events
// sets it to the highest of them, so replaying applies each event once. It
// runs in Open, before the goroutines start, and commits in the writer's
// way, fsync'd.
//
// A damaged log (a seq that no valid record holds, or a record that does
// not decode) is copied aside first, for recovery, and every valid record
// is applied.
func (s *Store) replay() error {
	recs, missing, err := s.wal.read(s.seq)
	if err != nil {
		return err
	}
	var undecodable int
	items := make([]*pending, 0, len(recs))
	for _, r := range recs {
		ev, err := decodeEvent(r.seq, r.payload, true)
		if err != nil {
			undecodable++
			continue
		}
		ev.ID = ""
		p := prepared(ev, r.payload)
		p.seq = r.seq
		items = append(items, &p)
	}
	if missing > 0 || undecodable > 0 {
		kept, err := s.keepLogAside(time.Now())
		if err != nil {
			return err
		}
		s.log.Warn("the log is damaged; every valid record is replayed and the log files are kept for recovery",
			"missing", missing, "undecodable", undecodable, "kept", kept)
	}
	for len(items) > 0 {
		chunk := items[:min(len(items), maxBatch)]
		items = items[len(chunk):]
		b := s.beginBatch()
		b.add(&applyOp{s: s, items: chunk})
		if err := b.commit(); err != nil {
			return fmt.Errorf("store: unable to replay the log: %w", err)
		}
		for _, p := range chunk {
			if p.ev.Key != "" {
				s.dd.add(dedupeEntry{p.fp, p.seq})
			}
		}
		s.seq = chunk[len(chunk)-1].seq
		s.log.Info("replayed events from the log", "events", len(chunk))
	}
	return nil
}

// keepLogAside copies the log files to names ending in DamagedSuffix and
// the time now, and returns the copies' names.
func (s *Store) keepLogAside(now time.Time) ([]string, error) {
	suffix := DamagedSuffix + now.UTC().Format("20060102-150405")
	var kept []string
	for i, p := range walPaths(s.path) {
		dst, err := os.OpenFile(p+suffix, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return kept, fmt.Errorf("store: unable to keep the damaged log aside: %w", err)
		}
		_, err = io.Copy(dst, io.NewSectionReader(s.wal.files[i], 0, s.wal.size[i]))
		if err == nil {
			err = dst.Sync()
		}
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return kept, fmt.Errorf("store: unable to keep the damaged log aside: %w", err)
		}
		kept = append(kept, p+suffix)
	}
	return kept, syncDir(filepath.Dir(s.path))
}
