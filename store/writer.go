package store

import (
	"context"

	bolt "go.etcd.io/bbolt"
)

// The writer is a group commit: one goroutine takes a request, drains every
// request already waiting (up to maxBatch events), applies them all in one
// bbolt transaction, commits it with one fsync and only then answers them.
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

// txn is what an op sees: the write transaction, its buckets and the
// counters as they will be after this transaction commits.
type txn struct {
	tx                                    *bolt.Tx
	events, byTime, dedupe, strs, strHash *bolt.Bucket
	meta, settings, rejected              *bolt.Bucket
	stats                                 Stats
	statsDirty                            bool

	// Deduplication (see dedupe.go): the committed index, and what this
	// transaction adds to it.
	dd             *dedupeIndex
	newDedupe      []dedupeEntry
	txnFP          map[uint64]uint64
	txnFPCollision bool
	ddBlock        uint64
	ddTail         []byte

	// Interning (see text.go): the committed cache, and this
	// transaction's new strings.
	strCache map[strHash]uint32
	newStrs  map[strHash]uint32
}

func (s *Store) newTxn(tx *bolt.Tx, stats Stats) *txn {
	w := &txn{
		tx:       tx,
		events:   tx.Bucket(bucketEvents),
		byTime:   tx.Bucket(bucketByTime),
		dedupe:   tx.Bucket(bucketDedupe),
		strs:     tx.Bucket(bucketStrs),
		strHash:  tx.Bucket(bucketStrHash),
		meta:     tx.Bucket(bucketMeta),
		settings: tx.Bucket(bucketSettings),
		rejected: tx.Bucket(bucketRejected),
		stats:    stats.clone(),
		dd:       s.dd,
		strCache: s.strCache,
	}
	// Keys that only grow are appended at the right edge: fill pages up
	// instead of splitting them in half (bbolt's default, right for random
	// inserts). Time keys mostly grow, but late events land in the middle:
	// 0.8 leaves them room (measured: 83% full pages with one event in ten
	// hours late, against 80% at 0.9 and 73% at 0.7).
	for _, b := range []*bolt.Bucket{w.events, w.dedupe, w.strs, w.rejected} {
		b.FillPercent = 1
	}
	w.byTime.FillPercent = 0.8
	return w
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

// writer is the only goroutine that writes to the database. It exits when
// ops is closed and drained.
func (s *Store) writer() {
	defer close(s.done)
	batch := make([]op, 0, 256)
	for first := range s.ops {
		batch = append(batch[:0], first)
		n := first.size()
	drain:
		for n < maxBatch {
			select {
			case o, ok := <-s.ops:
				if !ok {
					break drain
				}
				batch = append(batch, o)
				n += o.size()
			default:
				break drain
			}
		}
		s.commit(batch)
		clear(batch)
	}
}

// commit applies batch in one transaction. If that fails, each request is
// retried alone so that one bad request cannot fail the others.
func (s *Store) commit(batch []op) {
	err := s.runTx(batch)
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

func (s *Store) runTx(batch []op) error {
	s.statsMu.Lock()
	before := s.stats
	s.statsMu.Unlock()
	var w *txn
	err := s.db.Update(func(tx *bolt.Tx) error {
		w = s.newTxn(tx, before)
		for _, o := range batch {
			if err := o.apply(w); err != nil {
				return err
			}
		}
		if err := w.flushDedupe(); err != nil {
			return err
		}
		if s.commits.Load()%releaseCommits == releaseCommits-1 {
			releaseMapped(tx)
		}
		if w.statsDirty {
			return saveStats(w.meta, w.stats)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.commits.Add(1)
	w.commitDedupe()
	w.commitStrings()
	if w.statsDirty {
		s.statsMu.Lock()
		s.stats = w.stats
		s.statsMu.Unlock()
	}
	return nil
}
