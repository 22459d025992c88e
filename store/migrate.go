package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Schema 1 kept the dedupe log in a "dedupe" bucket of its own (blocks of
// 16-byte fingerprint + seq records) and found interned strings through a
// "str_hash" bucket (16-byte hash -> 4-byte id), whose random inserts cost
// ingest a scattered page write per new string. Schema 2 keeps both in the
// journal; everything else is unchanged. migrateV1 goes to schema 3 at
// once, which only adds the log (migrateV2).
var (
	bucketDedupeV1  = []byte("dedupe")
	bucketStrHashV1 = []byte("str_hash")
)

const recordSizeV1 = 16

// migrateV1 upgrades a schema 1 file in tx: it writes the journal from the
// two old buckets, deletes them and records schema 3. It runs once, in the
// transaction that opens the file, so a failure leaves the file as it was.
func migrateV1(tx *bolt.Tx) error {
	j := tx.Bucket(bucketJournal)
	if k, _ := j.Cursor().First(); k != nil {
		return fmt.Errorf("%w: schema 1 file with a journal", errCorrupt)
	}
	j.FillPercent = 1
	jw := newJournalWriter(j, journalTail{})
	if b := tx.Bucket(bucketDedupeV1); b != nil {
		err := b.ForEach(func(k, v []byte) error {
			if len(k) != blockKeyLen || len(v)%recordSizeV1 != 0 {
				return fmt.Errorf("%w: dedupe block %x", errCorrupt, k)
			}
			for r := v; len(r) > 0; r = r[recordSizeV1:] {
				e := dedupeEntry{binary.BigEndian.Uint64(r), binary.BigEndian.Uint64(r[8:])}
				if err := jw.addDedupe(e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := tx.DeleteBucket(bucketDedupeV1); err != nil {
			return err
		}
	}
	if b := tx.Bucket(bucketStrHashV1); b != nil {
		err := b.ForEach(func(k, v []byte) error {
			var e strEntry
			if len(k) != len(e.hash) || len(v) != 4 {
				return fmt.Errorf("%w: str_hash entry %x", errCorrupt, k)
			}
			copy(e.hash[:], k)
			e.id = binary.BigEndian.Uint32(v)
			return jw.addString(e)
		})
		if err != nil {
			return err
		}
		if err := tx.DeleteBucket(bucketStrHashV1); err != nil {
			return err
		}
	}
	if err := jw.flush(); err != nil {
		return err
	}
	return tx.Bucket(bucketMeta).Put(metaSchema, u64(schemaVersion))
}

// Schema 3 is schema 2 with the write-ahead log beside the file (wal.go):
// the events bucket's sequence is also the log's checkpoint, so nothing in
// the file changes. The version says that the file may have events in the
// log, which a binary of schema 2 would not see.
func migrateV2(tx *bolt.Tx) error {
	return tx.Bucket(bucketMeta).Put(metaSchema, u64(schemaVersion))
}
