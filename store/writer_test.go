package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/internal/testkit"
)

// queueAppends starts one Append per event behind a held ingest goroutine
// and waits until they all wait (one of them taken by it); the returned
// channel yields their errors once release is called.
func queueAppends(t *testing.T, s *Store, evs []event.Event) (errs <-chan error, release func()) {
	t.Helper()
	release = holdIngest(t, s)
	ch := make(chan error, len(evs))
	for _, ev := range evs {
		go func() {
			_, _, err := s.Append(context.Background(), ev)
			ch <- err
		}()
	}
	waitAppends(t, s, len(evs)-1)
	return ch, release
}

func TestWaitingAppendsShareOneLogWrite(t *testing.T) {
	s := openTest(t)
	before := s.walWrites.Load()
	evs := genEvents(100, 1, "group-")
	errs, release := queueAppends(t, s, evs)
	release()
	for range evs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := s.walWrites.Load() - before; got != 1 {
		t.Errorf("%d log writes for %d waiting appends, want 1", got, len(evs))
	}
}

func TestAppendDoesNotWaitForBbolt(t *testing.T) {
	s := openTest(t)
	hold := holdWriter(t, s)
	defer hold()
	evs := genEvents(10, 1, "logged-")
	stored := mustAppendAll(t, s, evs)
	// Answered while the writer is held: the events are in the log only,
	// and found there.
	for i, ev := range stored {
		got, err := s.Event(ev.ID)
		if err != nil || got.Key != evs[i].Key || string(got.Raw) != string(evs[i].Raw) {
			t.Errorf("Event(%s) from the tail: key %q err %v, want %q with Raw", ev.ID, got.Key, err, evs[i].Key)
		}
	}
	again, dup, err := s.Append(context.Background(), evs[3])
	if err != nil || !dup || again.ID != stored[3].ID {
		t.Errorf("duplicate of a logged event: id %s dup %v err %v, want dup of %s", again.ID, dup, err, stored[3].ID)
	}
	listed := make(chan int, 1)
	go func() {
		page, err := s.List(Query{})
		if err != nil {
			t.Error(err)
		}
		listed <- len(page.Events)
	}()
	hold()
	// A read waits until the writer has applied what was answered.
	if n := <-listed; n != len(evs) {
		t.Errorf("List after the appends returned = %d events, want %d", n, len(evs))
	}
	if st, _ := s.Stats(); st.Total != len(evs) {
		t.Errorf("Total = %d, want %d", st.Total, len(evs))
	}
}

func TestReadsDoNotWaitForTheApplyDelay(t *testing.T) {
	// The writer would wait an hour for company; a read asks it to commit
	// now (were it not, this test would wait for an hour).
	s, err := open(filepath.Join(t.TempDir(), "leadbell.db"), Options{}, lingerMax, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stored := mustAppendAll(t, s, genEvents(3, 1, "hurry-"))
	tests := []struct {
		name string
		read func() (int, error)
	}{
		{"List", func() (int, error) { p, err := s.List(Query{}); return len(p.Events), err }},
		{"After", func() (int, error) { evs, err := s.After("", 0); return len(evs), err }},
		{"LeadEvents", func() (int, error) { evs, err := s.LeadEvents(stored[2].LeadID, 0); return len(evs), err }},
		{"Stats", func() (int, error) { st, err := s.Stats(); return st.Total, err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := tt.read()
			if err != nil || n == 0 {
				t.Errorf("%d events, %v; want the appended ones", n, err)
			}
		})
	}
	if last, err := s.LastID(); err != nil || last != stored[2].ID {
		t.Errorf("LastID = %s, %v; want %s", last, err, stored[2].ID)
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
	// Logged and answered behind the failing request; applied with it.
	evs := genEvents(10, 1, "survivor-")
	mustAppendAll(t, s, evs)
	release()
	if err := <-bad.done; !errors.Is(err, boom) {
		t.Errorf("failing request: err = %v, want boom", err)
	}
	if st, _ := s.Stats(); st.Total != len(evs) {
		t.Errorf("Total = %d, want %d", st.Total, len(evs))
	}
	all, _ := s.After("", 0)
	if len(all) != len(evs) {
		t.Errorf("%d events applied, want %d", len(all), len(evs))
	}
	for i, ev := range all {
		if ev.ID != formatID(uint64(i+1)) {
			t.Errorf("event %d has ID %s: the failed transaction left a gap", i, ev.ID)
		}
	}
}

func TestAppendReturnsWhenContextEnds(t *testing.T) {
	s := openTest(t)
	release := holdIngest(t, s)
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := s.Append(ctx, genEvents(1, 2, "ctx-")[0])
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// openLingering opens a store whose ingest goroutine lingers for an hour,
// so that a test sees when it lingers without measuring time: a log write
// it waited for happens only once enough requests arrive.
func openLingering(t *testing.T) *Store {
	t.Helper()
	s, err := open(filepath.Join(t.TempDir(), "leadbell.db"), Options{}, time.Hour, applyDelay)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// logBatch queues evs behind a held ingest goroutine so that they share
// one log write, and waits for them.
func logBatch(t *testing.T, s *Store, evs []event.Event) {
	t.Helper()
	errs, release := queueAppends(t, s, evs)
	release()
	for range evs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestIngestLingersForALargerBatch(t *testing.T) {
	s := openLingering(t)
	evs := genEvents(25, 1, "linger-")
	logBatch(t, s, evs[:10])
	before := s.walWrites.Load()
	// The ingest goroutine waits for more, here until there are half again
	// as many as in the last batch.
	errs := make(chan error, 14)
	for _, ev := range evs[10:24] {
		go func() { _, _, err := s.Append(context.Background(), ev); errs <- err }()
	}
	_, _, err := s.Append(context.Background(), evs[24])
	if err != nil {
		t.Fatal(err)
	}
	for range 14 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := s.walWrites.Load() - before; got != 1 {
		t.Errorf("%d log writes for 15 events arriving one by one after a batch of 10, want 1", got)
	}
}

func TestIngestDoesNotLingerAtLowLoad(t *testing.T) {
	s := openLingering(t)
	// Batches below lingerMinBatch: each Append is logged at once (were it
	// not, this test would wait for an hour).
	for i, ev := range genEvents(lingerMinBatch+1, 1, "alone-") {
		if _, _, err := s.Append(context.Background(), ev); err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
	}
}

func TestCloseEndsALinger(t *testing.T) {
	s := openLingering(t)
	evs := genEvents(11, 1, "close-")
	logBatch(t, s, evs[:10])
	o := newAppendOp(evs[10:])
	if err := s.submitAppend(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	// Once the ingest goroutine has taken the lone event, it lingers over
	// it until Close, which logs and applies it.
	testkit.WaitFor(t, "the ingest goroutine to take the lone event", func() bool { return len(s.appends) == 0 })
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
