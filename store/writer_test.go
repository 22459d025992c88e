package store

import (
	"context"
	"errors"
	"testing"

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
