package store

import (
	"context"
	"time"
)

// The writer is a group commit: one goroutine takes a request, drains every
// request already waiting (up to maxBatch events), applies them all in one
// bbolt transaction, commits it once and only then answers them.
// At low load a request waits for one fsync; under load many requests share
// each fsync, so throughput grows with load instead of being capped at one
// commit per request (bbolt's DB.Batch also groups, but waits a fixed delay
// for company and measured several times slower here).

// op is one request to the writer.
type op interface {
	// size is how many events the request carries, for the batch cap.
	size() int
	// apply does the request's work in tx. Its outcome for the caller (such
	// as ErrNotFound) is kept in the op; a returned error is fatal to the
	// whole transaction.
	apply(w *txn) error
	// finish answers the caller: err is nil once the transaction holding
	// the request is committed, or the reason it is not.
	finish(err error)
}

// submit queues o for the writer. It fails with ErrClosed after Close and
// with ctx.Err() if ctx ends while the queue is full.
func (s *Store) submit(ctx context.Context, o op) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	select {
	case s.ops <- o:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// trySubmit queues o unless the queue is full or the store closed.
func (s *Store) trySubmit(o op) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return false
	}
	select {
	case s.ops <- o:
		return true
	default:
		return false
	}
}

// Under load the writer lingers a little before it commits a batch that is
// smaller than the one before it: the requests of the connections that
// filled the previous batch are on their way, and a commit costs about as
// much for 20 events as for 10 (see doc.go), so sharing it is worth a short
// wait. It waits at most lingerMax (Store.linger), and never after a batch of fewer than
// lingerMinBatch events, so a lone delivery is committed at once.
const (
	lingerMax      = 500 * time.Microsecond
	lingerMinBatch = 4
)

// writer is the only goroutine that writes to the database. It exits when
// ops is closed and drained.
func (s *Store) writer() {
	defer close(s.done)
	batch := make([]op, 0, 256)
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	prev := 0 // events in the previous batch
	for first := range s.ops {
		batch = append(batch[:0], first)
		n := first.size()
		open := true
	drain:
		for n < maxBatch {
			select {
			case o, ok := <-s.ops:
				if !ok {
					open = false
					break drain
				}
				batch = append(batch, o)
				n += o.size()
			default:
				break drain
			}
		}
		if open && prev >= lingerMinBatch && n < prev {
			linger.Reset(s.linger)
		wait:
			for n < prev && n < maxBatch {
				select {
				case o, ok := <-s.ops:
					if !ok {
						break wait
					}
					batch = append(batch, o)
					n += o.size()
				case <-linger.C:
					break wait
				}
			}
			linger.Stop()
		}
		prev = n
		s.commit(batch)
		clear(batch)
	}
}

// commit applies batch in one transaction and answers its requests. If
// that fails, each request is retried alone so that one bad request cannot
// fail the others.
func (s *Store) commit(batch []op) {
	b := s.beginBatch()
	for _, o := range batch {
		b.add(o)
	}
	err := b.commit()
	if err != nil && len(batch) > 1 {
		s.log.Warn("store: batch failed, retrying one by one", "requests", len(batch), "err", err)
		for _, o := range batch {
			s.commit([]op{o})
		}
		return
	}
	if err != nil {
		s.log.Error("store: write failed", "err", err)
	}
	for _, o := range batch {
		o.finish(err)
	}
}
