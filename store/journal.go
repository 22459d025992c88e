package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// The journal is the persistent side of the two in-memory indexes: the
// dedupe index (fingerprint of an event's Key -> seq, dedupe.go) and the
// string index (hash of an interned string -> id, strindex.go). Neither may
// cost a random B-tree write per event: a bucket keyed by a hash scatters
// its inserts over the whole tree, and each scattered page is a separate
// disk write in the commit, which is what limits ingest (see doc.go). So
// both are appended, in commit order, to one log, and Open reads it back
// into memory. One bucket rather than one per index, because every bucket a
// commit touches costs its right-most leaf and the branch pages above it.
//
// The "journal" bucket holds blocks under an 8-byte block number; a block
// is a run of records, each a kind byte and a fixed-size body:
//
//	recDedupe: fingerprint (8) + seq (8)
//	recString: string hash (16) + string id (4)
//
// Only the last block changes: a commit rewrites it with its new records
// appended, and starts a new block once it would pass blockLimit.
const (
	recDedupe     = 1
	recString     = 2
	recDedupeSize = 1 + 16
	recStringSize = 1 + len(strHash{}) + 4
	// blockLimit seals a block at 1920 bytes, so that whole blocks with
	// their keys and headers fill a page (two in 4 KiB, four in 8 KiB) and
	// rewriting the last one costs little.
	blockLimit  = 1920
	blockKeyLen = 8
)

// journalTail is the last block of the journal and where records go next.
// The writer owns the committed one; a transaction works on a copy and
// hands it back once it has committed.
type journalTail struct {
	block uint64
	tail  []byte
}

// journalWriter appends records to the journal within one transaction.
type journalWriter struct {
	b     *bolt.Bucket
	t     journalTail
	dirty bool
}

func newJournalWriter(b *bolt.Bucket, t journalTail) *journalWriter {
	// Clipped so that appending copies: the committed tail must stay as it
	// is should this transaction fail.
	return &journalWriter{b: b, t: journalTail{block: t.block, tail: slices.Clip(t.tail)}}
}

// add appends one record, sealing the last block first when the record
// would take it past blockLimit. A sealed block is written at once and
// never changes again.
func (j *journalWriter) add(rec []byte) error {
	if len(j.t.tail) > 0 && len(j.t.tail)+len(rec) > blockLimit {
		if err := j.b.Put(u64(j.t.block), j.t.tail); err != nil {
			return err
		}
		j.t.block++
		j.t.tail = make([]byte, 0, blockLimit)
	}
	j.t.tail = append(j.t.tail, rec...)
	j.dirty = true
	return nil
}

func (j *journalWriter) addDedupe(e dedupeEntry) error {
	var rec [recDedupeSize]byte
	rec[0] = recDedupe
	binary.BigEndian.PutUint64(rec[1:], e.fp)
	binary.BigEndian.PutUint64(rec[9:], e.seq)
	return j.add(rec[:])
}

func (j *journalWriter) addString(e strEntry) error {
	var rec [recStringSize]byte
	rec[0] = recString
	copy(rec[1:], e.hash[:])
	binary.BigEndian.PutUint32(rec[1+len(e.hash):], e.id)
	return j.add(rec[:])
}

// flush writes the last block, if this transaction changed it. The bytes
// written must not change until the transaction ends: later appends only
// ever write past them.
func (j *journalWriter) flush() error {
	if !j.dirty {
		return nil
	}
	return j.b.Put(u64(j.t.block), j.t.tail)
}

// journalContents is what loadJournal read.
type journalContents struct {
	dedupe  []dedupeEntry
	strings []strEntry
	tail    journalTail
}

// loadJournal reads the whole journal; dedupeHint is the expected number
// of dedupe records.
func loadJournal(b *bolt.Bucket, dedupeHint int) (journalContents, error) {
	jc := journalContents{dedupe: make([]dedupeEntry, 0, dedupeHint)}
	read := 0
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if read += len(v); read >= releaseBytes {
			releaseMapped(b.Tx())
			read = 0
		}
		if len(k) != blockKeyLen {
			return jc, fmt.Errorf("%w: journal key %x", errCorrupt, k)
		}
		for r := v; len(r) > 0; {
			switch {
			case r[0] == recDedupe && len(r) >= recDedupeSize:
				jc.dedupe = append(jc.dedupe, dedupeEntry{binary.BigEndian.Uint64(r[1:]), binary.BigEndian.Uint64(r[9:])})
				r = r[recDedupeSize:]
			case r[0] == recString && len(r) >= recStringSize:
				var e strEntry
				copy(e.hash[:], r[1:])
				e.id = binary.BigEndian.Uint32(r[1+len(e.hash):])
				jc.strings = append(jc.strings, e)
				r = r[recStringSize:]
			default:
				return jc, fmt.Errorf("%w: journal block %x", errCorrupt, k)
			}
		}
	}
	if k, v := c.Last(); k != nil {
		jc.tail = journalTail{block: binary.BigEndian.Uint64(k), tail: bytes.Clone(v)}
	}
	return jc, nil
}
