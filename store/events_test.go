package store

import (
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/leadbell/leadbell/event"
)

func TestSetReadPersistsAndIsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	stored := mustAppendAll(t, s, loadFixtures(t))
	reply := stored[2]
	for range 2 {
		ev, err := s.SetRead(reply.ID, true)
		if err != nil || !ev.Read || ev.ID != reply.ID {
			t.Fatalf("SetRead(true): read %v id %s err %v", ev.Read, ev.ID, err)
		}
	}
	if _, err := s.SetRead("999", true); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetRead of an unknown id: err = %v, want ErrNotFound", err)
	}
	if _, err := s.SetRead("x", true); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetRead of a malformed id: err = %v, want ErrNotFound", err)
	}
	s.Close()

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Event(reply.ID)
	if err != nil || !got.Read {
		t.Fatalf("after reopen: read %v err %v, want read", got.Read, err)
	}
	if len(got.Raw) == 0 || got.Body != reply.Body {
		t.Errorf("after SetRead the event lost data: body %q, %d raw bytes", got.Body, len(got.Raw))
	}
	page, err := s.List(Query{Unread: true, Type: event.Replied})
	if err != nil || slices.ContainsFunc(page.Events, func(ev event.Event) bool { return ev.ID == reply.ID }) {
		t.Errorf("read event still listed as unread (err %v)", err)
	}
	if ev, err := s.SetRead(reply.ID, false); err != nil || ev.Read {
		t.Errorf("SetRead(false): read %v err %v", ev.Read, err)
	}
}

func TestEventNotFound(t *testing.T) {
	s := openTest(t)
	mustAppendAll(t, s, loadFixtures(t)[:1])
	for _, id := range []string{"2", "0", "", "-1", "abc", "18446744073709551616"} {
		if _, err := s.Event(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Event(%q): err = %v, want ErrNotFound", id, err)
		}
	}
}

func TestStatsCounters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fixtures := loadFixtures(t)
	stored := mustAppendAll(t, s, fixtures)
	want := Stats{
		Counts: map[event.Type]int{
			event.Sent: 3, event.Opened: 2, event.Clicked: 1, event.Replied: 3,
			event.Bounced: 1, event.Unsubscribed: 1, event.Other: 1,
		},
		Total:       12,
		Unread:      3,
		LastEventAt: fixtures[11].ReceivedAt,
	}
	steps := []struct {
		name   string
		do     func() error
		unread int
	}{
		{"after appends", func() error { return nil }, 3},
		{"after duplicates", func() error {
			_, err := s.AppendMany(t.Context(), fixtures)
			return err
		}, 3},
		{"after reading a reply", func() error { _, err := s.SetRead(stored[2].ID, true); return err }, 2},
		{"after reading it again", func() error { _, err := s.SetRead(stored[2].ID, true); return err }, 2},
		{"after reading a send", func() error { _, err := s.SetRead(stored[0].ID, true); return err }, 2},
		{"after unreading the reply", func() error { _, err := s.SetRead(stored[2].ID, false); return err }, 3},
		{"after reading one more reply", func() error { _, err := s.SetRead(stored[9].ID, true); return err }, 2},
		{"after reopen", func() error {
			if err := s.Close(); err != nil {
				return err
			}
			s, err = Open(path, Options{})
			return err
		}, 2},
	}
	for _, step := range steps {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		want.Unread = step.unread
		got, err := s.Stats()
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if !maps.Equal(got.Counts, want.Counts) || got.Total != want.Total || got.Unread != want.Unread || !got.LastEventAt.Equal(want.LastEventAt) {
			t.Errorf("%s: Stats = %+v, want %+v", step.name, got, want)
		}
	}
	s.Close()
}

func TestAfter(t *testing.T) {
	s := openTest(t)
	stored := mustAppendAll(t, s, loadFixtures(t))
	tests := []struct {
		name  string
		id    string
		limit int
		want  []int
	}{
		{"from the start", "", 0, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
		{"after the fifth", stored[4].ID, 0, []int{5, 6, 7, 8, 9, 10, 11}},
		{"limited", stored[4].ID, 2, []int{5, 6}},
		{"after the last", stored[11].ID, 0, []int{}},
		{"after a future id", "1000", 0, []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := s.After(tt.id, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if got := indexesOf(stored, evs); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := s.After("nope", 1); !errors.Is(err, ErrBadCursor) {
		t.Errorf("After(%q): err = %v, want ErrBadCursor", "nope", err)
	}
}

func TestLeadEvents(t *testing.T) {
	s := openTest(t)
	stored := mustAppendAll(t, s, loadFixtures(t))
	tests := []struct {
		name  string
		lead  string
		limit int
		want  []int
	}{
		{"oldest first", "1480031", 0, []int{0, 1, 5, 2, 8}},
		{"the latest within the limit", "1480031", 2, []int{2, 8}},
		{"another lead", "1480062", 0, []int{3, 6, 7}},
		{"unknown lead", "7", 0, []int{}},
		{"no lead", "", 0, []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := s.LeadEvents(tt.lead, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if got := indexesOf(stored, evs); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMarkAllRead(t *testing.T) {
	s := openTest(t)
	stored := mustAppendAll(t, s, loadFixtures(t))
	if _, err := s.SetRead(stored[2].ID, true); err != nil {
		t.Fatal(err)
	}
	n, err := s.MarkAllRead(Query{Campaign: "1400137", Type: event.Replied})
	if err != nil || n != 1 {
		t.Fatalf("MarkAllRead: %d, %v; want 1 (the other reply of the campaign is read)", n, err)
	}
	if st, _ := s.Stats(); st.Unread != 1 {
		t.Errorf("Unread = %d, want 1", st.Unread)
	}
	n, err = s.MarkAllRead(Query{})
	if err != nil || n != 10 {
		t.Fatalf("MarkAllRead of everything: %d, %v; want 10", n, err)
	}
	page, _ := s.List(Query{Unread: true})
	st, _ := s.Stats()
	if len(page.Events) != 0 || st.Unread != 0 {
		t.Errorf("after marking everything: %d unread listed, Unread = %d", len(page.Events), st.Unread)
	}
	if n, err := s.MarkAllRead(Query{}); err != nil || n != 0 {
		t.Errorf("MarkAllRead again: %d, %v; want 0", n, err)
	}
}
