package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The replies the catch-up stored from a lead's message history, by their
// Message-ID, so that SmartLead's own delivery of one of them later (a
// retry, a re-trigger) is known as the same reply: bucket "backfilled",
// Message-ID -> the time it was stored (8 bytes, Unix nanoseconds) and the
// stored event's id. Each is one small write, where a JSON map of all of
// them was rewritten before.

var bucketBackfilled = []byte("backfilled")

// Backfilled returns the id of the event stored from the history for the
// reply with Message-ID messageID, if there is one.
func (s *Store) Backfilled(messageID string) (eventID string, ok bool, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketBackfilled).Get([]byte(messageID))
		if len(v) > 8 {
			eventID, ok = string(v[8:]), true
		}
		return nil
	})
	if err != nil {
		return "", false, fmt.Errorf("store: unable to read a backfilled reply: %w", err)
	}
	return eventID, ok, nil
}

// PutBackfilled records that the reply with Message-ID messageID was stored
// from the history as event eventID at at; it returns once that is on disk.
func (s *Store) PutBackfilled(ctx context.Context, messageID, eventID string, at time.Time) error {
	if messageID == "" || eventID == "" {
		return errors.New("store: a backfilled reply needs its Message-ID and event id")
	}
	v := binary.BigEndian.AppendUint64(nil, uint64(at.UnixNano()))
	o := &backfilledOp{key: []byte(messageID), val: append(v, eventID...), done: make(chan error, 1)}
	if err := s.submit(ctx, o); err != nil {
		return err
	}
	if err := <-o.done; err != nil {
		return fmt.Errorf("store: unable to save a backfilled reply: %w", err)
	}
	return nil
}

// PruneBackfilled forgets the backfilled replies stored before before, and
// returns how many.
func (s *Store) PruneBackfilled(before time.Time) (int, error) {
	o := &backfilledOp{before: before, done: make(chan error, 1)}
	if err := s.submit(context.Background(), o); err != nil {
		return 0, err
	}
	if err := <-o.done; err != nil {
		return 0, fmt.Errorf("store: unable to prune the backfilled replies: %w", err)
	}
	return o.pruned, nil
}

// backfilledOp puts key, or, without one, deletes the entries older than
// before.
type backfilledOp struct {
	key, val []byte
	before   time.Time
	pruned   int
	done     chan error
}

func (o *backfilledOp) size() int        { return 1 }
func (o *backfilledOp) finish(err error) { o.done <- err }

func (o *backfilledOp) apply(w *txn) error {
	b := w.tx.Bucket(bucketBackfilled)
	if o.key != nil {
		return b.Put(o.key, o.val)
	}
	cut := uint64(o.before.UnixNano())
	var err error
	o.pruned, err = deleteWhere(b, func(_, v []byte) bool { return len(v) < 8 || binary.BigEndian.Uint64(v) < cut })
	return err
}

// deleteWhere deletes the entries of b that old says are old, and returns
// how many.
func deleteWhere(b *bolt.Bucket, old func(k, v []byte) bool) (int, error) {
	var keys [][]byte
	err := b.ForEach(func(k, v []byte) error {
		if old(k, v) {
			keys = append(keys, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
