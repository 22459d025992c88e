package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
)

// queueAppends starts one Append per event and waits until all of them
// wait in the writer's queue; the returned channel yields their errors.
func queueAppends(t *testing.T, s *Store, queued int, evs []smartlead.Event) <-chan error {
	t.Helper()
	errs := make(chan error, len(evs))
	for _, ev := range evs {
		go func() {
			_, _, err := s.Append(context.Background(), ev)
			errs <- err
		}()
	}
	waitQueued(s, queued+len(evs))
	return errs
}

func TestWaitingAppendsShareOneCommit(t *testing.T) {
	s := openTest(t)
	release := holdWriter(t, s)
	before := s.commits.Load()
	evs := genEvents(100, 1, "group-")
	errs := queueAppends(t, s, 0, evs)
	release()
	for range evs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// One commit for the held request, one for all the appends.
	if got := s.commits.Load() - before; got != 2 {
		t.Errorf("%d commits for %d waiting appends, want 2", got, len(evs))
	}
}

func TestFailingRequestDoesNotFailItsBatch(t *testing.T) {
	s := openTest(t)
	release := holdWriter(t, s)
	boom := errors.New("boom")
	bad := &funcOp{fn: func(*txn) error { return boom }, done: make(chan error, 1)}
	if err := s.submit(context.Background(), bad); err != nil {
		t.Fatal(err)
	}
	evs := genEvents(10, 1, "survivor-")
	errs := queueAppends(t, s, 1, evs)
	release()
	if err := <-bad.done; !errors.Is(err, boom) {
		t.Errorf("failing request: err = %v, want boom", err)
	}
	for range evs {
		if err := <-errs; err != nil {
			t.Errorf("append batched with a failing request: %v", err)
		}
	}
	if st, _ := s.Stats(); st.Total != len(evs) {
		t.Errorf("Total = %d, want %d", st.Total, len(evs))
	}
	all, _ := s.After("", 0)
	for i, ev := range all {
		if ev.ID != formatID(uint64(i+1)) {
			t.Errorf("event %d has ID %s: the failed transaction left a gap", i, ev.ID)
		}
	}
}

func TestAppendReturnsWhenContextEnds(t *testing.T) {
	s := openTest(t)
	release := holdWriter(t, s)
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := s.Append(ctx, genEvents(1, 1, "ctx-")[0])
		done <- err
	}()
	waitQueued(s, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// openLingering opens a store whose writer lingers for an hour, so that a
// test sees when it lingers without measuring time: a commit it waited for
// happens only once enough requests arrive.
func openLingering(t *testing.T) *Store {
	t.Helper()
	s, err := open(filepath.Join(t.TempDir(), "leadbell.db"), Options{}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// commitBatch queues evs behind a held writer so that they share one
// commit, and waits for them.
func commitBatch(t *testing.T, s *Store, evs []smartlead.Event) {
	t.Helper()
	release := holdWriter(t, s)
	errs := queueAppends(t, s, 0, evs)
	release()
	for range evs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestWriterLingersForASmallerBatch(t *testing.T) {
	s := openLingering(t)
	evs := genEvents(20, 1, "linger-")
	commitBatch(t, s, evs[:10])
	before := s.commits.Load()
	// Fewer events than the last batch had: the writer waits for more,
	// here until there are as many as before.
	errs := make(chan error, 10)
	for _, ev := range evs[10:19] {
		go func() { _, _, err := s.Append(context.Background(), ev); errs <- err }()
	}
	_, _, err := s.Append(context.Background(), evs[19])
	if err != nil {
		t.Fatal(err)
	}
	for range 9 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := s.commits.Load() - before; got != 1 {
		t.Errorf("%d commits for 10 events arriving one by one after a batch of 10, want 1", got)
	}
}

func TestWriterDoesNotLingerAtLowLoad(t *testing.T) {
	s := openLingering(t)
	// Batches below lingerMinBatch: each Append is committed at once (were
	// it not, this test would wait for an hour).
	for i, ev := range genEvents(lingerMinBatch+1, 1, "alone-") {
		if _, _, err := s.Append(context.Background(), ev); err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
	}
}

func TestCloseEndsALinger(t *testing.T) {
	s := openLingering(t)
	evs := genEvents(11, 1, "close-")
	commitBatch(t, s, evs[:10])
	o := newAppendOp(evs[10:])
	if err := s.submit(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	// Once the writer has taken the lone event, it lingers over it until
	// Close, which commits it.
	for len(s.ops) > 0 {
		time.Sleep(time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := o.wait(context.Background()); err != nil {
		t.Errorf("append lingered over by Close: %v", err)
	}
	s, err := Open(s.Path(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if st, _ := s.Stats(); st.Total != len(evs) {
		t.Errorf("Total = %d after reopen, want %d", st.Total, len(evs))
	}
}
