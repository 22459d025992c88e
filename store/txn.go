package store

import (
	bolt "go.etcd.io/bbolt"
)

// txn is what an op sees: the write transaction, its buckets and the
// counters as they will be after this transaction commits.
type txn struct {
	tx                       *bolt.Tx
	events, byTime, strs     *bolt.Bucket
	meta, settings, rejected *bolt.Bucket
	pruned, leads            *bolt.Bucket
	stats                    Stats
	statsDirty               bool

	// journal takes the records of this transaction's new dedupe entries
	// and strings (see journal.go).
	journal *journalWriter

	// applied is the highest seq of the events this transaction applies
	// from the log (see ingest.go), zero for none.
	applied uint64

	// Interning (see text.go): the string index, and this transaction's
	// new strings, by hash and in order.
	strIdx     *strIndex
	newStrs    map[strHash]uint32
	newStrList []strEntry
	strSeq     uint64 // the last string id given out, once strSeqRead
	strSeqRead bool

	// leadWrites counts the lead directory records written (leads.go).
	leadWrites int
}

func (s *Store) newTxn(tx *bolt.Tx, stats Stats) *txn {
	w := &txn{
		tx:       tx,
		events:   tx.Bucket(bucketEvents),
		byTime:   tx.Bucket(bucketByTime),
		strs:     tx.Bucket(bucketStrs),
		meta:     tx.Bucket(bucketMeta),
		settings: tx.Bucket(bucketSettings),
		rejected: tx.Bucket(bucketRejected),
		pruned:   tx.Bucket(bucketPruned),
		leads:    tx.Bucket(bucketLeads),
		stats:    stats.clone(),
		journal:  newJournalWriter(tx.Bucket(bucketJournal), s.journal),
		strIdx:   s.strIdx,
	}
	// Keys that only grow are appended at the right edge: fill pages up
	// instead of splitting them in half (bbolt's default, right for random
	// inserts). Time keys mostly grow, but late events land in the middle:
	// 0.8 leaves them room (measured: 83% full pages with one event in ten
	// hours late, against 80% at 0.9 and 73% at 0.7).
	for _, b := range []*bolt.Bucket{w.events, w.journal.b, w.strs, w.rejected, w.pruned} {
		b.FillPercent = 1
	}
	w.byTime.FillPercent = 0.8
	w.leads.FillPercent = leadsFill
	return w
}

// batchTx is one transaction of the writer, to which it adds a batch of
// requests one at a time; after the first failure the rest are only
// collected, and commit reports it.
type batchTx struct {
	s   *Store
	tx  *bolt.Tx
	w   *txn
	err error
}

// beginBatch starts a write transaction.
func (s *Store) beginBatch() *batchTx {
	s.statsMu.Lock()
	before := s.stats
	s.statsMu.Unlock()
	tx, err := s.db.Begin(true)
	if err != nil {
		return &batchTx{s: s, err: err}
	}
	return &batchTx{s: s, tx: tx, w: s.newTxn(tx, before)}
}

// add applies o in the transaction, unless an earlier request failed.
func (b *batchTx) add(o op) {
	if b.err == nil {
		b.err = o.apply(b.w)
	}
}

// commit writes what the transaction's requests did and commits it, or
// rolls it back if anything failed, and returns the first error. After a
// commit the in-memory indexes and counters take the transaction's
// additions.
func (b *batchTx) commit() error {
	s, w := b.s, b.w
	if b.err == nil {
		b.err = b.prepareCommit()
	}
	if b.err == nil {
		b.err = s.faults.check(faultCommit)
	}
	if b.err == nil {
		b.err = b.tx.Commit()
	} else if b.tx != nil {
		_ = b.tx.Rollback()
	}
	if b.err != nil {
		if w != nil {
			s.strIdx.remove(w.newStrList)
		}
		return b.err
	}
	s.commits.Add(1)
	s.leadWrites.Add(uint64(w.leadWrites))
	s.journal = w.journal.t
	s.strIdx.seal()
	if w.statsDirty {
		s.statsMu.Lock()
		s.stats = w.stats
		s.statsMu.Unlock()
	}
	return nil
}

// prepareCommit writes the journal, the last string id and the counters.
func (b *batchTx) prepareCommit() error {
	s, w := b.s, b.w
	if err := w.journal.flush(); err != nil {
		return err
	}
	if err := w.saveStringID(); err != nil {
		return err
	}
	if w.applied > 0 {
		// The checkpoint of the log (see ingest.go): every event up to
		// this seq is in this commit or an earlier one.
		if err := w.events.SetSequence(w.applied); err != nil {
			return err
		}
		// The lead directory holds them too (leads.go). meta lives in the
		// root page, which every commit writes anyway.
		if err := w.meta.Put(metaLeadsSeq, u64(w.applied)); err != nil {
			return err
		}
	}
	if s.commits.Load()%releaseCommits == releaseCommits-1 {
		releaseMapped(b.tx)
	}
	if w.statsDirty {
		if err := saveStats(w.meta, w.stats); err != nil {
			return err
		}
	}
	// Readers must find the new strings as soon as they can see the commit
	// (see strindex.go); commit takes them out again if it fails.
	s.strIdx.add(w.newStrList)
	return nil
}
