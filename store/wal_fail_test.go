package store

import (
	"context"
	"errors"
	"os"
	"testing"
)

// A failed log sync acknowledges nothing and ends writing for the process:
// otherwise the next batch would reuse the failed one's seqs, and a replay
// could take the stale records for acknowledged ones and drop the others.
func TestLogSyncFailureStopsAppends(t *testing.T) {
	s := openTest(t)
	acked := mustAppendAll(t, s, genEvents(3, 1, "before-"))

	setSync := func(fn func(*os.File) error) {
		release := holdIngest(t, s) // the ingest goroutine is parked: no race
		s.wal.sync = fn
		release()
	}
	eio := errors.New("input/output error")
	setSync(func(*os.File) error { return eio })
	_, _, err := s.Append(context.Background(), genEvents(1, 4, "failed-")[0])
	if !errors.Is(err, ErrWriteFailed) || !errors.Is(err, eio) {
		t.Fatalf("Append during a failing sync = %v, want ErrWriteFailed wrapping the I/O error", err)
	}
	if !errors.Is(s.Failed(), ErrWriteFailed) {
		t.Fatalf("Failed() = %v, want ErrWriteFailed", s.Failed())
	}

	// The disk is fine again, but this process writes no more.
	setSync(fdatasync)
	for i := range 20 {
		if _, _, err := s.Append(context.Background(), genEvents(1, uint64(5+i), "after-")[0]); !errors.Is(err, ErrWriteFailed) {
			t.Fatalf("Append %d after the failure = %v, want ErrWriteFailed", i, err)
		}
	}

	// A crash now: the next Open finds exactly what was acknowledged.
	openCopy(t, crashCopy(t, s), acked)
}

// Log files left beside a database that was deleted are not replayed into
// the new one made in its place.
func TestStaleLogOfADeletedDatabaseIsNotReplayed(t *testing.T) {
	s := openTest(t)
	release := holdWriter(t, s)
	mustAppendAll(t, s, genEvents(5, 1, "old-"))
	path := crashCopy(t, s) // crashed with events only in its log
	release()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	fresh, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if got, err := fresh.After("", MaxLimit); err != nil || len(got) != 0 {
		t.Fatalf("a new database in place of a deleted one holds %d events (err %v), want none", len(got), err)
	}
}
