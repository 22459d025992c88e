package store

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
)

// Deduplication must not cost a random B-tree write per event (see
// journal.go), so the lookup structure lives in memory, loaded from the
// journal's dedupe records at Open: sorted runs, and a map of the newest
// entries that is sealed into another sorted run every runSize entries.
//
// A fingerprint is the first 8 bytes of sha256(Key). Two keys may share one,
// so a hit is confirmed by comparing the stored event's Key. Memory is 16
// bytes per event with a key (16 MB for a million events).
const (
	runSize = 1 << 16 // entries sealed into one run
	maxRuns = 32      // beyond this the runs are merged into one
)

type dedupeEntry struct{ fp, seq uint64 }

// dedupeIndex is owned by the ingest goroutine (and Open before it starts),
// which decides whether an event is a duplicate before it is logged.
type dedupeIndex struct {
	runSize int                 // runSize, but smaller in tests
	runs    [][]dedupeEntry     // each sorted by fp
	recent  map[uint64]uint64   // fp -> seq, not yet in a run
	more    map[uint64][]uint64 // further seqs of a fingerprint in recent
}

func fingerprint(key string) uint64 {
	sum := sha256.Sum256([]byte(key))
	return binary.BigEndian.Uint64(sum[:8])
}

// loadDedupe builds the index from the journal's records, which it sorts
// in place and keeps.
func loadDedupe(all []dedupeEntry) *dedupeIndex {
	d := newDedupeIndex(runSize)
	if len(all) > 0 {
		slices.SortFunc(all, func(a, b dedupeEntry) int { return cmpU64(a.fp, b.fp) })
		d.runs = append(d.runs, all)
	}
	return d
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
