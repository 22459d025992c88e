package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
)

// countingHandler counts the log records at each level.
type countingHandler struct{ n, errs atomic.Int64 }

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelInfo {
		h.n.Add(1)
	}
	if r.Level >= slog.LevelError {
		h.errs.Add(1)
	}
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }

// openFaulty opens a store whose disk fails as faults says.
func openFaulty(t *testing.T) (*Store, *Faults, *countingHandler) {
	t.Helper()
	faults, logs := &Faults{}, &countingHandler{}
	s, err := Open(filepath.Join(t.TempDir(), "leadbell.db"), Options{Faults: faults, Logger: slog.New(logs)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, faults, logs
}

// waitHealth waits, on HealthChanged, until the store's problem is want.
func waitHealth(t *testing.T, s *Store, want string) Health {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		ch := s.HealthChanged()
		if h := s.Health(); h.Problem == want {
			return h
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("health %+v, want problem %q", s.Health(), want)
		}
	}
}

// appendWithin appends ev and fails the test if the answer takes more than
// a second: a delivery must never hang on a failing disk (SmartLead gives
// up after 30 s and counts a failure).
func appendWithin(t *testing.T, s *Store, ev event.Event) (event.Event, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	stored, _, err := s.Append(ctx, ev)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Append of %s waited more than a second", ev.Key)
	}
	return stored, err
}

// bigEvents are n events of 256 KiB, which fill the log's prepared room
// (two files of walSegment) in about 32.
func bigEvents(n int, start uint64, prefix string) []event.Event {
	evs := genEvents(n, start, prefix)
	for i := range evs {
		evs[i].Raw = bytes.Repeat([]byte("x"), 256<<10)
	}
	return evs
}

func TestDiskFull(t *testing.T) {
	s, faults, logs := openFaulty(t)
	before := mustAppendAll(t, s, genEvents(5, 1, "before-"))
	s.awaitApplied() // in bbolt
	faults.Fail(fmt.Errorf("write leadbell.db: %w", syscall.ENOSPC))

	// The log's prepared room carries deliveries through while bbolt
	// cannot apply them; then they are refused at once, nothing lost.
	var acked []event.Event
	refused := 0
	for i, ev := range bigEvents(60, 100, "full-") {
		stored, err := appendWithin(t, s, ev)
		switch {
		case err == nil:
			if refused > 0 {
				t.Fatalf("event %d taken after %d refusals, with no room made", i, refused)
			}
			acked = append(acked, stored)
		case errors.Is(err, ErrCannotSave):
			refused++
		default:
			t.Fatalf("Append %d: %v, want nil or ErrCannotSave", i, err)
		}
	}
	if len(acked) < 20 || refused == 0 {
		t.Fatalf("%d taken and %d refused on a full disk; want the log's room (about 30) taken, then refusals", len(acked), refused)
	}
	h := waitHealth(t, s, ProblemDiskFull)
	if !errors.Is(h.Err, syscall.ENOSPC) || h.Since.IsZero() {
		t.Errorf("health %+v, want the disk-full error and when it started", h)
	}
	// Reads keep working: what bbolt has is listed (the events only in
	// the log join it once they can be applied).
	got, err := s.After("", MaxLimit)
	if err != nil || len(got) != len(before) {
		t.Fatalf("After on a full disk: %d events, %v; want the %d applied before", len(got), err, len(before))
	}
	if ev, err := s.Event(acked[0].ID); err != nil || ev.Key != acked[0].Key {
		t.Errorf("Event of one taken on the full disk: %v, %v", ev.Key, err)
	}
	// Two seconds of retries and refused deliveries log a line or two, not
	// one per attempt.
	logged := logs.n.Load()
	deadline := time.Now().Add(2 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		if _, err := appendWithin(t, s, bigEvents(1, uint64(1000+i), "more-")[0]); !errors.Is(err, ErrCannotSave) {
			t.Fatalf("Append on a full disk: %v, want ErrCannotSave", err)
		}
	}
	if n := logs.n.Load() - logged; n > 2 {
		t.Errorf("%d log lines in two seconds of a full disk, want at most 2", n)
	}

	// Room comes back: saving resumes by itself, with no delivery to try.
	faults.Fail(nil)
	waitHealth(t, s, "")
	after := mustAppendAll(t, s, genEvents(3, 5000, "after-"))
	want := append(append(before, acked...), after...)
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	reopened, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	stored, err := reopened.After("", MaxLimit)
	if err != nil || len(stored) != len(want) {
		t.Fatalf("after a restart: %d events, %v; want every acknowledged one, %d", len(stored), err, len(want))
	}
	for i := range want {
		if stored[i].Key != want[i].Key {
			t.Fatalf("event %d is %s, want %s", i, stored[i].Key, want[i].Key)
		}
	}
}

func TestReadOnlyDisk(t *testing.T) {
	s, faults, _ := openFaulty(t)
	before := mustAppendAll(t, s, genEvents(3, 1, "before-"))
	s.awaitApplied()
	faults.Fail(fmt.Errorf("write leadbell.db.wal0: %w", syscall.EROFS))
	for i, ev := range genEvents(5, 10, "ro-") {
		if _, err := appendWithin(t, s, ev); !errors.Is(err, ErrCannotSave) {
			t.Fatalf("Append %d on a read-only disk: %v, want ErrCannotSave", i, err)
		}
	}
	waitHealth(t, s, ProblemReadOnly)
	if got, err := s.After("", MaxLimit); err != nil || len(got) != len(before) {
		t.Fatalf("reads on a read-only disk: %d, %v", len(got), err)
	}
	if s.Failed() != nil {
		t.Fatalf("a read-only disk ended writing for good: %v", s.Failed())
	}
	faults.Fail(nil)
	waitHealth(t, s, "")
	mustAppendAll(t, s, genEvents(3, 20, "after-"))
}

func TestDataFolderRemoved(t *testing.T) {
	s, _, _ := openFaulty(t)
	mustAppendAll(t, s, genEvents(3, 1, "before-"))
	dir := filepath.Dir(s.Path())
	moved := dir + ".moved"
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Rename(moved, dir) })
	waitHealth(t, s, ProblemRemoved)
	if _, err := appendWithin(t, s, genEvents(1, 10, "gone-")[0]); !errors.Is(err, ErrCannotSave) {
		t.Fatalf("Append with the data folder gone: %v, want ErrCannotSave", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the store made a new data folder behind the user's back (%v)", err)
	}
	// The user puts it back.
	if err := os.Rename(moved, dir); err != nil {
		t.Fatal(err)
	}
	waitHealth(t, s, "")
	mustAppendAll(t, s, genEvents(1, 20, "back-"))
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond,
		1600 * time.Millisecond, 3200 * time.Millisecond, 5 * time.Second, 5 * time.Second}
	for i, w := range want {
		if got := backoff(i); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i, got, w)
		}
	}
	if got := backoff(1 << 30); got != retryMax {
		t.Errorf("backoff after many attempts = %v, want %v", got, retryMax)
	}
}
