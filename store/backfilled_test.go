package store

import (
	"context"
	"testing"
	"time"
)

func TestBackfilledReplies(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	if err := s.PutBackfilled(ctx, "<old@example.com>", "7", now.Add(-90*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutBackfilled(ctx, "<new@example.com>", "42", now); err != nil {
		t.Fatal(err)
	}
	if id, ok, err := s.Backfilled("<new@example.com>"); err != nil || !ok || id != "42" {
		t.Fatalf("Backfilled = %q, %v, %v; want 42", id, ok, err)
	}
	if _, ok, _ := s.Backfilled("<never@example.com>"); ok {
		t.Error("a Message-ID never stored is known")
	}
	if n, err := s.PruneBackfilled(now.Add(-60 * 24 * time.Hour)); err != nil || n != 1 {
		t.Fatalf("PruneBackfilled = %d, %v; want the old one", n, err)
	}
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok, _ := s.Backfilled("<old@example.com>"); ok {
		t.Error("the pruned reply is known after a restart")
	}
	if id, ok, _ := s.Backfilled("<new@example.com>"); !ok || id != "42" {
		t.Errorf("after a restart Backfilled = %q, %v; want 42", id, ok)
	}
}
