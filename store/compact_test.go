package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
)

// fillStore opens a store at path and fills it with about 20 MB of events.
func fillStore(t *testing.T, path string, opts Options) (*Store, []event.Event) {
	t.Helper()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	evs := genEvents(8000, 0, "big-")
	pad := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 36)
	for i := range evs {
		if evs[i].Type != event.Replied {
			evs[i].Body = pad // a sent email's body, about 2 KB
		}
	}
	return s, mustAppendMany(t, s, evs)
}

// sparseStore fills a store at path (fillStore), prunes all but the
// replies and returns the replies kept. The store is left open.
func sparseStore(t *testing.T, path string) (*Store, []event.Event) {
	t.Helper()
	s, stored := fillStore(t, path, Options{})
	cuts := map[event.Type]time.Time{}
	for _, typ := range prunableTypes() {
		cuts[typ] = time.Now()
	}
	if _, err := s.Prune(context.Background(), cuts); err != nil {
		t.Fatal(err)
	}
	var replies []event.Event
	for _, ev := range stored {
		if ev.Type == event.Replied {
			replies = append(replies, ev)
		}
	}
	return s, replies
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

// checkHolds checks that s holds exactly want (by ID), consistently, and
// that a redelivery of the first is a duplicate.
func checkHolds(t *testing.T, s *Store, want []event.Event) {
	t.Helper()
	checkConsistent(t, s)
	got := pageAll(t, s, Query{Type: event.Replied})
	if len(got) != len(want) {
		t.Fatalf("%d replies, want %d", len(got), len(want))
	}
	ids := map[string]bool{}
	for _, ev := range got {
		ids[ev.ID] = true
	}
	for _, ev := range want {
		if !ids[ev.ID] {
			t.Errorf("reply %s is missing", ev.ID)
		}
	}
	if _, dup, err := s.Append(context.Background(), want[0]); err != nil || !dup {
		t.Errorf("redelivery: dup %v err %v", dup, err)
	}
}

func TestOpenCompactsASparseFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	s, replies := sparseStore(t, path)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	before := fileSize(t, path)
	if before < compactMinSize {
		t.Fatalf("the test file is %d bytes, under the %d that compaction needs", before, compactMinSize)
	}
	start := time.Now()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Open compacted %d bytes to %d in %v", before, fileSize(t, path), time.Since(start))
	defer s.Close()
	if after := fileSize(t, path); after*2 > before {
		t.Errorf("file is %d bytes after compaction, was %d", after, before)
	}
	if _, err := os.Stat(compactPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the compaction's copy is left behind: %v", err)
	}
	checkHolds(t, s, replies)
	// The pruned events' tombstones were copied too.
	if _, dup, err := s.Append(context.Background(), genEvents(8000, 0, "big-")[0]); err != nil || !dup {
		t.Errorf("redelivery of a pruned event after compaction: dup %v err %v", dup, err)
	}
	if _, dup, err := s.Append(context.Background(), genEvents(1, 99999, "new-")[0]); err != nil || dup {
		t.Errorf("new event after compaction: dup %v err %v", dup, err)
	}
}

func TestCompactionCrashBeforeRenameKeepsTheOldFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	s, replies := sparseStore(t, path)
	// Events answered but only in the log when the process dies: they must
	// be replayed onto whichever file the next Open keeps.
	release := holdWriter(t, s)
	logged := mustAppendAll(t, s, genEvents(5, 50000, "logged-"))
	crashed := crashCopy(t, s)
	release()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	before := fileSize(t, crashed)

	// The process dies once the copy is made, before the rename: the
	// crash leaves the old file, its log and the copy.
	var dead string
	_, err := Open(crashed, Options{compactFault: func(step string) error {
		if step != "copied" {
			t.Errorf("fault at step %q", step)
		}
		dead = filepath.Join(t.TempDir(), "leadbell.db")
		for _, p := range []string{"", ".compact", ".wal0", ".wal1"} {
			data, err := os.ReadFile(crashed + p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dead+p, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return errors.New("simulated crash")
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead + ".compact"); err != nil {
		t.Fatalf("the crash left no copy: %v", err)
	}
	if got := fileSize(t, dead); got != before {
		t.Fatalf("the old file changed before the rename: %d bytes, was %d", got, before)
	}

	// The next Open finds the old file whole, drops the copy, compacts
	// again and replays the log.
	s2, err := Open(dead, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got := fileSize(t, dead); got*2 > before {
		t.Errorf("not compacted on the next Open: %d bytes, was %d", got, before)
	}
	if _, err := os.Stat(dead + ".compact"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stale copy is still there: %v", err)
	}
	for _, ev := range logged {
		got, err := s2.Event(ev.ID)
		if err != nil || got.Key != ev.Key {
			t.Errorf("logged event %s after the crash: key %q err %v", ev.ID, got.Key, err)
		}
	}
	want := replies
	for _, ev := range logged {
		if ev.Type == event.Replied {
			want = append(want, ev)
		}
	}
	checkHolds(t, s2, want)
}

func TestOpenLeavesADenseFileAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	noCompaction := Options{compactFault: func(string) error {
		t.Error("a dense file was compacted")
		return nil
	}}
	s, _ := fillStore(t, path, noCompaction)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if size := fileSize(t, path); size < compactMinSize {
		t.Fatalf("the test file is %d bytes, under the %d that compaction needs", size, compactMinSize)
	}
	s, err := Open(path, noCompaction)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
}

// A second Open while the first compacts (and so swaps the file under
// bbolt's lock), or just after, must not get in: the store's own lock file
// is held throughout, where bbolt's lock belongs to the file swapped out.
func TestSecondOpenDuringCompactionIsLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	s, _ := sparseStore(t, path)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	tryOpen := func() error {
		other, err := Open(path, Options{Timeout: time.Millisecond})
		if err == nil {
			other.Close()
		}
		return err
	}
	var during error
	first, err := Open(path, Options{compactFault: func(step string) error {
		during = tryOpen() // the copy is made, the swap comes next
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if !errors.Is(during, ErrLocked) {
		t.Fatalf("a second Open during the compaction = %v, want ErrLocked", during)
	}
	if err := tryOpen(); !errors.Is(err, ErrLocked) {
		t.Fatalf("a second Open after the swap = %v, want ErrLocked", err)
	}
}
