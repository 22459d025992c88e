package store

import (
	"bytes"
	"slices"
	"sync"
)

// strIndex maps the hash of every interned string to its id. It lives in
// memory, loaded from the journal's string records at Open, because an
// on-disk index keyed by hash would cost a write to a random page for every
// new string, and new strings are common: a new lead's ID, a reply's body
// (see journal.go). It is laid out like the dedupe index: sorted runs, and a
// map of the newest entries sealed into another run every runSize entries.
// Memory is about 20 bytes per distinct string.
//
// The writer adds a transaction's new strings just before it commits and
// takes them out again if the commit fails. A reader that finds an id its
// own snapshot does not have yet is not misled: no summary in its snapshot
// refers to that id, so a filter on it matches nothing, as it should.
type strIndex struct {
	mu      sync.RWMutex
	runSize int
	runs    [][]strEntry // each sorted by hash
	recent  map[strHash]uint32
}

// strEntry is one string's hash and id.
type strEntry struct {
	hash strHash
	id   uint32
}

func newStrIndex(runSize int) *strIndex {
	return &strIndex{runSize: runSize, recent: make(map[strHash]uint32)}
}

// loadStrIndex builds the index from the journal's records, which it
// sorts in place and keeps.
func loadStrIndex(all []strEntry) *strIndex {
	x := newStrIndex(runSize)
	if len(all) > 0 {
		slices.SortFunc(all, cmpStrEntry)
		x.runs = append(x.runs, all)
	}
	return x
}

func cmpStrEntry(a, b strEntry) int { return bytes.Compare(a.hash[:], b.hash[:]) }

// get returns the id of the string with hash h.
func (x *strIndex) get(h strHash) (uint32, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if id, ok := x.recent[h]; ok {
		return id, true
	}
	for _, run := range x.runs {
		if i, ok := slices.BinarySearchFunc(run, h, func(e strEntry, h strHash) int {
			return bytes.Compare(e.hash[:], h[:])
		}); ok {
			return run[i].id, true
		}
	}
	return 0, false
}

// add adds entries whose hashes the index does not hold.
func (x *strIndex) add(es []strEntry) {
	if len(es) == 0 {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, e := range es {
		x.recent[e.hash] = e.id
	}
}

// remove takes out entries added by add, before any seal.
func (x *strIndex) remove(es []strEntry) {
	if len(es) == 0 {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, e := range es {
		delete(x.recent, e.hash)
	}
}

// seal moves the recent entries into a sorted run once there are runSize
// of them, and merges the runs when there are too many. Only the writer
// calls it, after a commit.
func (x *strIndex) seal() {
	x.mu.RLock()
	n := len(x.recent)
	x.mu.RUnlock()
	if n < x.runSize {
		return
	}
	run := make([]strEntry, 0, n)
	x.mu.RLock()
	for h, id := range x.recent {
		run = append(run, strEntry{h, id})
	}
	x.mu.RUnlock()
	slices.SortFunc(run, cmpStrEntry)
	runs := append(slices.Clip(x.runs), run)
	if len(runs) > maxRuns {
		merged := slices.Concat(runs...)
		slices.SortFunc(merged, cmpStrEntry)
		runs = [][]strEntry{merged}
	}
	x.mu.Lock()
	x.runs = runs
	x.recent = make(map[strHash]uint32)
	x.mu.Unlock()
}
