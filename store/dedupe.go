package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Deduplication must not cost a random B-tree write per event: an index
// keyed by a hash of the key scatters every insert over the whole tree, and
// each scattered page is a separate disk write in the commit, which is what
// limits ingest (see doc.go). So the persistent part is a log, appended in
// arrival order, and the lookup structure lives in memory:
//
//   - the "dedupe" bucket holds blocks of up to 120 (fingerprint, seq)
//     records, 16 bytes each, under an 8-byte block number; only the last
//     block changes;
//   - at open the blocks are read into sorted runs; new entries go to a map
//     that is sealed into another sorted run every runSize entries.
//
// A fingerprint is the first 8 bytes of sha256(Key). Two keys may share one,
// so a hit is confirmed by comparing the stored event's Key. Memory is 16
// bytes per event with a key (16 MB for a million events).
const (
	recordSize = 16
	// blockLimit seals a block at 1920 bytes, so that two blocks with
	// their keys and headers fit in one 4 KiB page.
	blockLimit  = 120 * recordSize
	runSize     = 1 << 16 // entries sealed into one run
	maxRuns     = 32      // beyond this the runs are merged into one
	blockKeyLen = 8
)

type dedupeEntry struct{ fp, seq uint64 }

// dedupeIndex is owned by the writer goroutine (and Open before it starts).
type dedupeIndex struct {
	runSize int                 // runSize, but smaller in tests
	runs    [][]dedupeEntry     // each sorted by fp
	recent  map[uint64]uint64   // fp -> seq, not yet in a run
	more    map[uint64][]uint64 // further seqs of a fingerprint in recent
	block   uint64              // number of the last block
	tail    []byte              // contents of the last block
}

func fingerprint(key string) uint64 {
	sum := sha256.Sum256([]byte(key))
	return binary.BigEndian.Uint64(sum[:8])
}

// loadDedupe reads the log into memory; sizeHint is the expected number
// of entries.
func loadDedupe(b *bolt.Bucket, sizeHint int) (*dedupeIndex, error) {
	d := newDedupeIndex(runSize)
	all := make([]dedupeEntry, 0, sizeHint)
	read := 0
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if read += len(v); read >= releaseBytes {
			releaseMapped(b.Tx())
			read = 0
		}
		if len(k) != blockKeyLen || len(v)%recordSize != 0 {
			return nil, fmt.Errorf("%w: dedupe block %x", errCorrupt, k)
		}
		for r := v; len(r) > 0; r = r[recordSize:] {
			all = append(all, dedupeEntry{binary.BigEndian.Uint64(r), binary.BigEndian.Uint64(r[8:])})
		}
	}
	if k, v := c.Last(); k != nil {
		d.block, d.tail = binary.BigEndian.Uint64(k), bytes.Clone(v)
	}
	if len(all) > 0 {
		slices.SortFunc(all, func(a, b dedupeEntry) int { return cmpU64(a.fp, b.fp) })
		d.runs = append(d.runs, all)
	}
	return d, nil
}

func newDedupeIndex(runSize int) *dedupeIndex {
	return &dedupeIndex{runSize: runSize, recent: map[uint64]uint64{}, more: map[uint64][]uint64{}}
}

// candidates calls fn with every seq stored under fp until fn returns true.
func (d *dedupeIndex) candidates(fp uint64, fn func(seq uint64) bool) bool {
	for _, run := range d.runs {
		i, _ := slices.BinarySearchFunc(run, fp, func(e dedupeEntry, fp uint64) int { return cmpU64(e.fp, fp) })
		for ; i < len(run) && run[i].fp == fp; i++ {
			if fn(run[i].seq) {
				return true
			}
		}
	}
	if seq, ok := d.recent[fp]; ok && fn(seq) {
		return true
	}
	for _, seq := range d.more[fp] {
		if fn(seq) {
			return true
		}
	}
	return false
}

// add records a committed entry.
func (d *dedupeIndex) add(e dedupeEntry) {
	if _, ok := d.recent[e.fp]; ok {
		d.more[e.fp] = append(d.more[e.fp], e.seq)
	} else {
		d.recent[e.fp] = e.seq
	}
	if len(d.recent) < d.runSize {
		return
	}
	run := make([]dedupeEntry, 0, len(d.recent)+len(d.more))
	for fp, seq := range d.recent {
		run = append(run, dedupeEntry{fp, seq})
	}
	for fp, seqs := range d.more {
		for _, seq := range seqs {
			run = append(run, dedupeEntry{fp, seq})
		}
	}
	slices.SortFunc(run, func(a, b dedupeEntry) int { return cmpU64(a.fp, b.fp) })
	d.runs = append(d.runs, run)
	d.recent, d.more = map[uint64]uint64{}, map[uint64][]uint64{}
	if len(d.runs) > maxRuns {
		merged := slices.Concat(d.runs...)
		slices.SortFunc(merged, func(a, b dedupeEntry) int { return cmpU64(a.fp, b.fp) })
		d.runs = [][]dedupeEntry{merged}
	}
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// findDup returns the seq of the stored event whose Key is key, looking at
// the committed index and at this transaction's own additions.
func (w *txn) findDup(key string, fp uint64) (uint64, bool, error) {
	var found uint64
	var err error
	match := func(seq uint64) bool {
		v := w.events.Get(seqKey(seq))
		if v == nil {
			return false
		}
		ev, derr := decodeEvent(seq, v, false)
		if derr != nil {
			err = derr
			return true
		}
		if ev.Key == key {
			found = seq
			return true
		}
		return false
	}
	if w.dd.candidates(fp, match) || err != nil {
		return found, err == nil, err
	}
	if seq, ok := w.txnFP[fp]; ok && match(seq) {
		return found, err == nil, err
	}
	if w.txnFPCollision {
		for _, e := range w.newDedupe {
			if e.fp == fp && match(e.seq) {
				return found, err == nil, err
			}
		}
	}
	return 0, false, err
}

// logDedupe appends an entry to this transaction's additions.
func (w *txn) logDedupe(e dedupeEntry) {
	w.newDedupe = append(w.newDedupe, e)
	if w.txnFP == nil {
		w.txnFP = make(map[uint64]uint64)
	}
	if _, ok := w.txnFP[e.fp]; ok {
		w.txnFPCollision = true
		return
	}
	w.txnFP[e.fp] = e.seq
}

// flushDedupe writes this transaction's additions to the log: the last
// block grows until it is full, then a new block starts.
func (w *txn) flushDedupe() error {
	if len(w.newDedupe) == 0 {
		return nil
	}
	block, tail := w.dd.block, slices.Clip(w.dd.tail)
	for _, e := range w.newDedupe {
		if len(tail) >= blockLimit {
			if err := w.dedupe.Put(u64(block), tail); err != nil {
				return err
			}
			block, tail = block+1, nil
		}
		tail = binary.BigEndian.AppendUint64(tail, e.fp)
		tail = binary.BigEndian.AppendUint64(tail, e.seq)
	}
	w.ddBlock, w.ddTail = block, tail
	return w.dedupe.Put(u64(block), tail)
}

// commitDedupe makes this committed transaction's additions visible.
func (w *txn) commitDedupe() {
	if len(w.newDedupe) == 0 {
		return
	}
	for _, e := range w.newDedupe {
		w.dd.add(e)
	}
	w.dd.block, w.dd.tail = w.ddBlock, w.ddTail
}
