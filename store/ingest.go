package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// Appends take two steps (see doc.go). The ingest goroutine takes every
// waiting Append, decides which events are duplicates, gives the others
// their seqs, writes them to the write-ahead log (wal.go) with one
// sequential write and one fdatasync, and answers. It then hands them to
// the writer (writer.go), which applies them to bbolt later, many batches
// to a transaction. Until then they are in the tail: Event and the
// duplicate check find them there, and every other read first waits for
// the writer to catch up with what was logged before it started
// (awaitApplied).

// Under load the ingest goroutine lingers a little before it logs a batch:
// the requests of the connections that filled the previous batch are on
// their way, and a sync costs about as much CPU for 20 events as for 5,
// so sharing it is worth a short wait. It waits until the batch is half again as large
// as the one before it, so that batches grow while requests keep coming,
// or lingerMax (Store.linger) has passed; and never after a batch of fewer
// than lingerMinBatch events, so a lone delivery is logged at once.
const (
	lingerMax      = 500 * time.Microsecond
	lingerMinBatch = 4
)

// submitAppend queues o for the ingest goroutine (see enqueue).
func (s *Store) submitAppend(ctx context.Context, o *appendOp) error {
	return enqueue(ctx, s, s.appends, o)
}

// ingest is the only goroutine that writes the log. It exits when appends
// is closed and drained.
func (s *Store) ingest() {
	defer close(s.ingestDone)
	batch := make([]*appendOp, 0, 256)
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	prev := 0 // events in the previous batch
	for first := range s.appends {
		s.ingestGate.Lock()
		batch = append(batch[:0], first)
		n := len(first.items)
		open := true
	drain:
		for n < maxBatch {
			select {
			case o, ok := <-s.appends:
				if !ok {
					open = false
					break drain
				}
				batch = append(batch, o)
				n += len(o.items)
			default:
				break drain
			}
		}
		target := prev + prev/2
		if open && prev >= lingerMinBatch && n < target {
			linger.Reset(s.linger)
		wait:
			for n < target && n < maxBatch {
				select {
				case o, ok := <-s.appends:
					if !ok {
						break wait
					}
					batch = append(batch, o)
					n += len(o.items)
				case <-linger.C:
					break wait
				}
			}
			linger.Stop()
		}
		prev = n
		s.logBatch(batch)
		s.ingestGate.Unlock()
		clear(batch)
	}
}

// logBatch logs the new events of batch, answers its requests and hands
// the events to the writer.
func (s *Store) logBatch(batch []*appendOp) {
	seq := s.seq
	var fresh []*pending
	inBatch := s.inBatch
	defer clear(inBatch)
	for _, o := range batch {
		for i := range o.items {
			p := &o.items[i]
			if p.ev.Key != "" {
				ev, dup, err := s.findDup(p, inBatch)
				if err != nil {
					s.log.Error("duplicate check failed", "error", err)
					s.wal.discard()
					finishAll(batch, err)
					return
				}
				if dup {
					o.results[i] = Result{Event: ev, Dup: true}
					continue
				}
				inBatch[p.fp] = append(inBatch[p.fp], p)
			}
			seq++
			p.seq = seq
			s.wal.appendRecord(seq, p.val)
			fresh = append(fresh, p)
		}
	}
	if len(fresh) > 0 {
		if err := s.logWritable(); err != nil {
			s.wal.discard()
			finishAll(batch, err)
			return
		}
		burned, err := s.wal.write(seq, s.applied.Load())
		if burned {
			s.seq = seq
		}
		if errors.Is(err, ErrCannotSave) {
			s.logRetryAt = time.Now().Add(backoff(s.health.fail("log", err, time.Now()) - 1))
			finishAll(batch, err)
			return
		}
		if err != nil {
			if s.failure.CompareAndSwap(nil, &err) {
				s.log.Error("writing the log failed; no new events are taken until Leadbell restarts", "error", err)
			}
			s.health.fail("log", err, time.Now())
			finishAll(batch, err)
			return
		}
		s.health.ok("log", time.Now())
		s.walWrites.Add(1)
		s.seq = seq
		for _, p := range fresh {
			if p.ev.Key != "" {
				s.dd.add(dedupeEntry{p.fp, p.seq})
			}
		}
		s.tail.add(fresh)
		s.written.Store(seq)
		s.ops <- &applyOp{s: s, items: fresh}
	}
	for _, o := range batch {
		for i := range o.items {
			if p := &o.items[i]; p.seq != 0 {
				o.results[i] = Result{Event: p.stored()}
			}
		}
		o.done <- nil
	}
}

func finishAll(batch []*appendOp, err error) {
	for _, o := range batch {
		for i := range o.items {
			o.items[i].seq = 0
		}
		o.done <- err
	}
}

// findDup returns the stored event whose Key is p's, looking in this
// batch, the tail and bbolt. A fingerprint match is confirmed by the Key.
func (s *Store) findDup(p *pending, inBatch map[uint64][]*pending) (event.Event, bool, error) {
	for _, q := range inBatch[p.fp] {
		if q.ev.Key == p.ev.Key {
			return q.stored(), true, nil
		}
	}
	var found event.Event
	var err error
	hit := s.dd.candidates(p.fp, func(seq uint64) bool {
		if q, ok := s.tail.get(seq); ok {
			if q.ev.Key == p.ev.Key {
				found = q.stored()
				return true
			}
			return false
		}
		// Not in the tail: applied by a commit that happened before this
		// read transaction starts.
		var ev event.Event
		verr := s.db.View(func(tx *bolt.Tx) error {
			var gerr error
			ev, gerr = getEvent(tx, seq, true)
			if errors.Is(gerr, ErrNotFound) {
				// Pruned (prune.go): its tombstone still knows the Key.
				ev, gerr = prunedEvent(tx, seq, p.ev.Key)
			}
			return gerr
		})
		switch {
		case errors.Is(verr, ErrNotFound):
			return false
		case verr != nil:
			err = verr
			return true
		case ev.Key == p.ev.Key:
			found = ev
			return true
		}
		return false
	})
	return found, hit && err == nil, err
}

// tailIndex holds the events that are logged but not yet applied to bbolt.
type tailIndex struct {
	mu sync.RWMutex
	m  map[uint64]*pending
}

func (t *tailIndex) get(seq uint64) (*pending, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	p, ok := t.m[seq]
	return p, ok
}

func (t *tailIndex) add(ps []*pending) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, p := range ps {
		t.m[p.seq] = p
	}
}

func (t *tailIndex) remove(ps []*pending) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, p := range ps {
		delete(t.m, p.seq)
	}
}

// waitApplied waits until the writer has applied the logged event seq,
// asking it to commit at once. It gives up while the writer fails to apply
// (reads then see what bbolt has) and when the store closes.
func (s *Store) waitApplied(seq uint64) {
	for s.applied.Load() < seq && !s.applyFailing.Load() {
		s.progressMu.Lock()
		ch := s.progress
		s.progressMu.Unlock()
		if s.applied.Load() >= seq {
			return
		}
		select {
		case s.hurry <- struct{}{}:
		default:
		}
		select {
		case <-ch:
		case <-s.done:
			return
		}
	}
}

// awaitApplied waits until the writer has applied every event logged before
// the call, so that a read that follows sees every event acknowledged
// before it (see waitApplied).
func (s *Store) awaitApplied() { s.waitApplied(s.written.Load()) }

// progressed wakes the reads waiting in awaitApplied, after each commit.
func (s *Store) progressed() {
	s.progressMu.Lock()
	close(s.progress)
	s.progress = make(chan struct{})
	s.progressMu.Unlock()
}

// logWritable returns ErrCannotSave, at once, while the data folder is
// gone or while a failed write of the log waits for its next try (see
// health.go); nil when a batch may be written.
func (s *Store) logWritable() error {
	if h, _ := s.health.failing("folder"); !h.OK() {
		return fmt.Errorf("%w: %w", ErrCannotSave, h.Err)
	}
	if h, _ := s.health.failing("log"); !h.OK() && time.Now().Before(s.logRetryAt) {
		return fmt.Errorf("%w: %w", ErrCannotSave, h.Err)
	}
	return nil
}
