package store

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestOutbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	a, err := s.AddOutbox(OutboxEntry{EventID: "7", CampaignID: "c", LeadID: "l", Body: "Tuesday works.\n\nBest, Sam",
		CC: []string{"x@y.test"}, Signature: true, CreatedAt: now, SendAt: now.Add(10 * time.Second), State: OutboxWaiting})
	if err != nil || a.ID == "" {
		t.Fatalf("AddOutbox: %+v, %v", a, err)
	}
	b, err := s.AddOutbox(OutboxEntry{EventID: "8", CreatedAt: now.Add(-48 * time.Hour), State: OutboxWaiting})
	if err != nil || b.ID == a.ID {
		t.Fatalf("a second answer: %+v, %v (the first is %s)", b, err, a.ID)
	}
	refused := errors.New("no")
	if _, err := s.UpdateOutbox(a.ID, func(*OutboxEntry) error { return refused }); !errors.Is(err, refused) {
		t.Errorf("a refused change: %v", err)
	}
	got, err := s.UpdateOutbox(a.ID, func(e *OutboxEntry) error { e.State, e.Attempts = OutboxSending, 1; return nil })
	if err != nil || got.State != OutboxSending || got.Body != a.Body {
		t.Fatalf("UpdateOutbox: %+v, %v", got, err)
	}
	if _, err := s.UpdateOutbox("99", func(*OutboxEntry) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("updating an unknown answer: %v, want ErrNotFound", err)
	}
	if _, err := s.UpdateOutbox(b.ID, func(e *OutboxEntry) error { e.State = OutboxSent; return nil }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.Outbox()
	if err != nil || len(all) != 2 || all[0].ID != a.ID || all[0].State != OutboxSending || all[0].CC[0] != "x@y.test" || !all[0].SendAt.Equal(a.SendAt) {
		t.Fatalf("after reopen: %+v, %v", all, err)
	}
	if n, err := s.PruneOutbox(now.Add(-time.Hour)); err != nil || n != 1 {
		t.Fatalf("PruneOutbox: %d, %v; want the old sent one", n, err)
	}
	if _, err := s.OutboxEntry(b.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the pruned answer: %v, want ErrNotFound", err)
	}
	if e, err := s.OutboxEntry(a.ID); err != nil || e.State != OutboxSending {
		t.Errorf("the answer on its way was pruned: %+v, %v", e, err)
	}
}
