package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestJournalReloadsBothIndexes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Many small commits and one large one, so that blocks fill up in
	// either way and hold both kinds of records.
	evs := genEvents(600, 1, "journal-")
	stored := mustAppendAll(t, s, evs[:300])
	rest, err := s.AppendMany(context.Background(), evs[300:])
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rest {
		stored = append(stored, r.Event)
	}
	var blocks int
	if err := s.view(func(tx *bolt.Tx) error {
		blocks = tx.Bucket(bucketJournal).Stats().KeyN
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if blocks < 3 {
		t.Fatalf("%d journal blocks, want several", blocks)
	}
	s.Close()

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, i := range []int{0, 299, 300, 599} {
		got, dup, err := s.Append(context.Background(), evs[i])
		if err != nil || !dup || got.ID != stored[i].ID {
			t.Errorf("event %d again: id %s dup %v err %v, want dup of %s", i, got.ID, dup, err, stored[i].ID)
		}
	}
	for _, i := range []int{0, 599} {
		lead, err := s.LeadEvents(evs[i].LeadID, MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, ev := range evs {
			if ev.LeadID == evs[i].LeadID {
				want++
			}
		}
		if len(lead) != want {
			t.Errorf("lead %s: %d events after reopen, want %d", evs[i].LeadID, len(lead), want)
		}
	}
	// A string stored before the reopen keeps its id: no new one is made.
	var before, after uint64
	seq := func() (n uint64) {
		_ = s.view(func(tx *bolt.Tx) error { n = lastStringID(tx); return nil })
		return n
	}
	before = seq()
	again := evs[0]
	again.Key = "journal-same-strings"
	if _, _, err := s.Append(context.Background(), again); err != nil {
		t.Fatal(err)
	}
	if after = seq(); after != before {
		t.Errorf("strings %d -> %d: known strings were interned again", before, after)
	}
}

func TestOpenRejectsCorruptJournal(t *testing.T) {
	tests := []struct {
		name  string
		key   []byte
		value []byte
	}{
		{"unknown record kind", u64(99), []byte{9, 1, 2, 3}},
		{"truncated record", u64(99), []byte{recDedupe, 1, 2, 3}},
		{"bad key", []byte("k"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "leadbell.db")
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.db.Update(func(tx *bolt.Tx) error {
				return tx.Bucket(bucketJournal).Put(tt.key, tt.value)
			}); err != nil {
				t.Fatal(err)
			}
			s.Close()
			s, err = Open(path, Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, errCorrupt) {
				t.Errorf("err = %v, want errCorrupt", err)
			}
		})
	}
}
