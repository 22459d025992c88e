package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
)

// replyWith returns a generated reply whose body holds word, which no
// generated event has, so that a search finds it alone.
func replyWith(word string, start uint64) event.Event {
	ev := genEvents(1, start, "reply-"+word+"-")[0]
	ev.Type, ev.SourceType = event.Replied, string(event.Replied)
	ev.Body = "Sounds good, " + word + " works for us."
	return ev
}

func TestDeleteKeepsIndexesConsistent(t *testing.T) {
	s := openTest(t)
	stored := mustAppendMany(t, s, genEvents(300, 0, "d-"))
	unread := mustAppendAll(t, s, []event.Event{replyWith("quokka", 5000)})[0]
	read := mustAppendAll(t, s, []event.Event{replyWith("axolotl", 5001)})[0]
	if _, err := s.SetRead(read.ID, true); err != nil {
		t.Fatal(err)
	}
	opened := firstOfType(t, stored, event.Opened)

	tests := []struct {
		name       string
		ev         event.Event
		word       string // a search that finds only ev, if any
		unreadDrop int
	}{
		{"unread reply", unread, "quokka", 1},
		{"read reply", read, "axolotl", 0},
		{"open", opened, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.word != "" {
				if got := pageAll(t, s, Query{Text: tt.word}); len(got) != 1 || got[0].ID != tt.ev.ID {
					t.Fatalf("before: search %q finds %d events", tt.word, len(got))
				}
			}
			lead, err := s.LeadEvents(tt.ev.LeadID, MaxLimit)
			if err != nil {
				t.Fatal(err)
			}
			before, _ := s.Stats()

			if err := s.Delete(tt.ev.ID); err != nil {
				t.Fatalf("Delete: %v", err)
			}

			after, _ := s.Stats()
			if after.Total != before.Total-1 || after.Counts[tt.ev.Type] != before.Counts[tt.ev.Type]-1 || after.Unread != before.Unread-tt.unreadDrop {
				t.Errorf("Stats after %+v, before %+v", after, before)
			}
			if _, err := s.Event(tt.ev.ID); !errors.Is(err, ErrNotFound) {
				t.Errorf("Event after Delete: err = %v, want ErrNotFound", err)
			}
			for _, ev := range pageAll(t, s, Query{}) {
				if ev.ID == tt.ev.ID {
					t.Error("List still has the deleted event")
				}
			}
			if got := pageAll(t, s, Query{Type: tt.ev.Type}); len(got) != after.Counts[tt.ev.Type] {
				t.Errorf("List of %s has %d, Stats %d", tt.ev.Type, len(got), after.Counts[tt.ev.Type])
			}
			if got := pageAll(t, s, Query{Type: event.Replied, Unread: true}); len(got) != after.Unread {
				t.Errorf("List of unread replies has %d, Stats %d", len(got), after.Unread)
			}
			if tt.word != "" {
				if got := pageAll(t, s, Query{Text: tt.word}); len(got) != 0 {
					t.Errorf("search %q still finds %d events", tt.word, len(got))
				}
			}
			lead2, err := s.LeadEvents(tt.ev.LeadID, MaxLimit)
			if err != nil {
				t.Fatal(err)
			}
			if len(lead2) != len(lead)-1 {
				t.Errorf("LeadEvents has %d after Delete, %d before", len(lead2), len(lead))
			}
			for _, ev := range lead2 {
				if ev.ID == tt.ev.ID {
					t.Error("LeadEvents still has the deleted event")
				}
			}
			checkConsistent(t, s)
		})
	}
}

func TestDeleteUnknown(t *testing.T) {
	s := openTest(t)
	stored := mustAppendAll(t, s, genEvents(3, 0, "u-"))
	if err := s.Delete(stored[1].ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, id string }{
		{"empty", ""},
		{"not a number", "abc"},
		{"zero", "0"},
		{"never stored", "9999"},
		{"deleted already", stored[1].ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Delete(tt.id); !errors.Is(err, ErrNotFound) {
				t.Errorf("Delete(%q) = %v, want ErrNotFound", tt.id, err)
			}
		})
	}
	if st, _ := s.Stats(); st.Total != 2 {
		t.Errorf("Total = %d, want 2", st.Total)
	}
	checkConsistent(t, s)
}

func TestDeletedEventRedeliveredIsADuplicate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	reply := replyWith("pangolin", 7000)
	stored := mustAppendAll(t, s, []event.Event{reply, genEvents(1, 7001, "other-")[0]})
	if err := s.Delete(stored[0].ID); err != nil {
		t.Fatal(err)
	}
	want, _ := s.Stats()

	redeliver := func(t *testing.T, s *Store) {
		t.Helper()
		again, dup, err := s.Append(context.Background(), reply)
		if err != nil || !dup || again.ID != stored[0].ID || again.Type != event.Replied {
			t.Errorf("redelivery: id %s type %s dup %v err %v; want a duplicate of %s", again.ID, again.Type, dup, err, stored[0].ID)
		}
		if _, err := s.Event(stored[0].ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("Event after redelivery: err = %v, want ErrNotFound", err)
		}
		if got := pageAll(t, s, Query{Text: "pangolin"}); len(got) != 0 {
			t.Errorf("the redelivered reply is listed again: %d events", len(got))
		}
		if st, _ := s.Stats(); st.Total != want.Total || st.Unread != want.Unread {
			t.Errorf("Stats after redelivery %+v, want %+v", st, want)
		}
		checkConsistent(t, s)
	}
	t.Run("open", func(t *testing.T) { redeliver(t, s) })
	t.Run("after reopening", func(t *testing.T) {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if s, err = Open(path, Options{}); err != nil {
			t.Fatal(err)
		}
		redeliver(t, s)
		if err := s.Delete(stored[0].ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("Delete again after reopening: %v, want ErrNotFound", err)
		}
	})
}

// TestDeleteJustAppended deletes events that Append has answered but the
// writer has not applied to bbolt yet (see ingest.go).
func TestDeleteJustAppended(t *testing.T) {
	// deleted checks that ev is gone and the store consistent.
	deleted := func(t *testing.T, s *Store, ev event.Event) {
		t.Helper()
		if _, err := s.Event(ev.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("Event after Delete: err = %v, want ErrNotFound", err)
		}
		if st, _ := s.Stats(); st.Total != 0 || st.Unread != 0 {
			t.Errorf("Stats after Delete %+v, want empty", st)
		}
		checkConsistent(t, s)
		if again, dup, err := s.Append(context.Background(), ev); err != nil || !dup || again.ID != ev.ID {
			t.Errorf("redelivery: id %s dup %v err %v", again.ID, dup, err)
		}
	}
	appendOne := func(t *testing.T, s *Store) event.Event {
		t.Helper()
		ev, dup, err := s.Append(context.Background(), replyWith("capybara", 9000))
		if err != nil || dup {
			t.Fatalf("Append: dup %v err %v", dup, err)
		}
		return ev
	}
	deleteLater := func(s *Store, id string) <-chan error {
		errs := make(chan error, 1)
		go func() { errs <- s.Delete(id) }()
		return errs
	}

	t.Run("writer lingering over it", func(t *testing.T) {
		// The writer would wait an hour before applying the event; the
		// Delete behind it makes it commit both at once.
		s, err := open(filepath.Join(t.TempDir(), "leadbell.db"), Options{}, lingerMax, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ev := appendOne(t, s)
		if _, logged := s.tail.get(mustSeq(ev.ID)); !logged {
			t.Fatal("the event is applied already: nothing to test")
		}
		if err := s.Delete(ev.ID); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		deleted(t, s, ev)
	})
	t.Run("queued behind its events", func(t *testing.T) {
		s := openTest(t)
		release := holdWriter(t, s)
		defer release()
		ev := appendOne(t, s)
		errs := deleteLater(s, ev.ID)
		waitQueued(t, s, 2) // the events, then the Delete
		release()
		if err := <-errs; err != nil {
			t.Fatalf("Delete: %v", err)
		}
		deleted(t, s, ev)
	})
	t.Run("reaching the writer before its events", func(t *testing.T) {
		s := openTest(t)
		release := holdWriter(t, s)
		defer release()
		ev := appendOne(t, s)
		// Take the events' request out of the queue and put it back
		// behind the Delete's, as if the writer had to retry it.
		apply := <-s.ops
		if _, ok := apply.(*applyOp); !ok {
			t.Fatalf("queued request %T, want the events", apply)
		}
		errs := deleteLater(s, ev.ID)
		waitQueued(t, s, 1)
		s.ops <- apply
		release()
		if err := <-errs; err != nil {
			t.Fatalf("Delete: %v", err)
		}
		deleted(t, s, ev)
	})
}

func TestDeleteAfterClose(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "leadbell.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	stored := mustAppendAll(t, s, genEvents(1, 0, "c-"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(stored[0].ID); !errors.Is(err, ErrClosed) {
		t.Errorf("Delete after Close: %v, want ErrClosed", err)
	}
}
