package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leadbell/leadbell/internal/testkit"
	bolt "go.etcd.io/bbolt"
)

func TestOpenCreatesPrivateDirAndFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "leadbell", "leadbell.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	for _, tt := range []struct {
		name string
		path string
		mode os.FileMode
	}{
		{"directory", filepath.Dir(path), 0o700},
		{"file", path, 0o600},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fi, err := os.Stat(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != tt.mode {
				t.Errorf("mode = %o, want %o", got, tt.mode)
			}
		})
	}
}

func TestSecondOpenFailsWithErrLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	first, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	second, err := Open(path, Options{Timeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		if second != nil {
			second.Close()
		}
		t.Fatalf("second Open: err = %v, want ErrLocked", err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	third, err := Open(path, Options{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	third.Close()
}

func TestOpenRejectsOtherSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(metaSchema, u64(schemaVersion+1))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(path, Options{}); err == nil {
		s.Close()
		t.Fatal("Open of a newer schema succeeded")
	}
}

func TestCloseCommitsQueuedRequests(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	release := holdIngest(t, s)
	evs := genEvents(20, 1, "queued-")
	type outcome struct {
		i   int
		err error
	}
	results := make(chan outcome, len(evs))
	for i, ev := range evs {
		go func() {
			_, _, err := s.Append(context.Background(), ev)
			results <- outcome{i, err}
		}()
	}
	// One is taken by the held ingest goroutine, the others wait.
	waitAppends(t, s, len(evs)-1)
	closed := make(chan error)
	go func() { closed <- s.Close() }()
	// Close refuses new work before it drains the queue.
	testkit.WaitFor(t, "Close to refuse new work", func() bool {
		_, err := s.Stats()
		return errors.Is(err, ErrClosed)
	})
	if _, _, err := s.Append(context.Background(), evs[0]); !errors.Is(err, ErrClosed) {
		t.Errorf("Append while closing: err = %v, want ErrClosed", err)
	}
	release()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	for range evs {
		if r := <-results; r.err != nil {
			t.Errorf("queued Append %d: %v", r.i, r.err)
		}
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if st, _ := s.Stats(); st.Total != len(evs) {
		t.Errorf("after reopen Total = %d, want %d", st.Total, len(evs))
	}
}

func TestClosedStoreRefusesEverything(t *testing.T) {
	s := openTest(t)
	stored := mustAppendAll(t, s, genEvents(1, 1, "c-"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	calls := []struct {
		name string
		call func() error
	}{
		{"Append", func() error { _, _, err := s.Append(context.Background(), genEvents(1, 2, "d-")[0]); return err }},
		{"AppendMany", func() error { _, err := s.AppendMany(context.Background(), genEvents(3, 2, "e-")); return err }},
		{"SetRead", func() error { _, err := s.SetRead(stored[0].ID, true); return err }},
		{"MarkAllRead", func() error { _, err := s.MarkAllRead(Query{}); return err }},
		{"putJSON", func() error { return s.putJSON("k", 1) }},
		{"deleteKey", func() error { return s.deleteKey("k") }},
		{"getJSON", func() error { var v int; _, err := s.getJSON("k", &v); return err }},
		{"List", func() error { _, err := s.List(Query{}); return err }},
		{"Event", func() error { _, err := s.Event(stored[0].ID); return err }},
		{"After", func() error { _, err := s.After("", 10); return err }},
		{"LeadEvents", func() error { _, err := s.LeadEvents(stored[0].LeadID, 10); return err }},
		{"Stats", func() error { _, err := s.Stats(); return err }},
		{"Rejections", func() error { _, err := s.Rejections(10); return err }},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, ErrClosed) {
				t.Errorf("err = %v, want ErrClosed", err)
			}
		})
	}
	s.Reject(Rejection{Status: 401, Reason: "bad signature"})
	if got := s.RejectedTotal(); got != 1 {
		t.Errorf("RejectedTotal after Close = %d, want 1", got)
	}
}
