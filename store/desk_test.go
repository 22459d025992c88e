package store

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// storedReplies stores the fixtures and returns the replies among them.
func storedReplies(t *testing.T, s *Store) []event.Event {
	t.Helper()
	var replies []event.Event
	for _, ev := range mustAppendAll(t, s, loadFixtures(t)) {
		if ev.Type == event.Replied {
			replies = append(replies, ev)
		}
	}
	if len(replies) < 2 {
		t.Fatalf("the fixtures hold %d replies, want two at least", len(replies))
	}
	return replies
}

func ids(evs []event.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

func listIDs(t *testing.T, s *Store, q Query) []string {
	t.Helper()
	page, err := s.List(q)
	if err != nil {
		t.Fatal(err)
	}
	return ids(page.Events)
}

// Done leaves the default view of a filter that asks for it, persists, and
// is undone as it was done.
func TestDone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	stored := mustAppendAll(t, s, loadFixtures(t))
	target := stored[2]
	ev, err := s.SetDone(target.ID, true)
	if err != nil || !ev.Done || ev.ID != target.ID {
		t.Fatalf("SetDone: %+v, %v", ev, err)
	}
	if _, err := s.SetDone("999", true); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetDone of an unknown id: %v, want ErrNotFound", err)
	}
	s.Close()
	if s, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.Event(target.ID); err != nil || !got.Done {
		t.Fatalf("after reopen: done %v, %v", got.Done, err)
	}
	no, yes := false, true
	if got := listIDs(t, s, Query{Done: &no}); slices.Contains(got, target.ID) || len(got) != len(stored)-1 {
		t.Errorf("not done: %v, want every event but %s", got, target.ID)
	}
	if got := listIDs(t, s, Query{Done: &yes}); !slices.Equal(got, []string{target.ID}) {
		t.Errorf("done: %v, want [%s]", got, target.ID)
	}
	if _, err := s.SetDone(target.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := listIDs(t, s, Query{Done: &yes}); len(got) != 0 {
		t.Errorf("done after undoing: %v, want none", got)
	}
}

// A snooze hides an event until its time; the next one due is known; waking
// it brings it back unread (and counted so), once; an ended snooze is not
// woken; pruning a snoozed event forgets its snooze.
func TestSnooze(t *testing.T) {
	s := openTest(t)
	replies := storedReplies(t, s)
	a, b := replies[0], replies[1]
	if _, err := s.SetRead(a.ID, true); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Stats()
	now := time.Now().UTC().Truncate(time.Millisecond)
	if ev, err := s.Snooze(a.ID, now.Add(2*time.Hour)); err != nil || !ev.SnoozedUntil.Equal(now.Add(2*time.Hour)) {
		t.Fatalf("Snooze: until %v, %v", ev.SnoozedUntil, err)
	}
	if _, err := s.Snooze(b.ID, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Event(a.ID); !got.SnoozedUntil.Equal(now.Add(2 * time.Hour)) {
		t.Errorf("the event reads snoozed until %v", got.SnoozedUntil)
	}
	no, yes := false, true
	if got := listIDs(t, s, Query{Snoozed: &no}); slices.Contains(got, a.ID) || slices.Contains(got, b.ID) {
		t.Errorf("not snoozed: %v, holds a snoozed event", got)
	}
	if got := listIDs(t, s, Query{Snoozed: &yes}); len(got) != 2 {
		t.Errorf("snoozed: %v, want both", got)
	}
	id, until, ok, err := s.NextSnooze()
	if err != nil || !ok || id != b.ID || !until.Equal(now.Add(time.Hour)) {
		t.Fatalf("NextSnooze = %s %v %v %v, want %s in an hour", id, until, ok, err, b.ID)
	}

	ev, woken, err := s.Wake(a.ID)
	if err != nil || !woken || ev.Read || !ev.SnoozedUntil.IsZero() {
		t.Fatalf("Wake: %+v woken %v, %v; want it unread and not snoozed", ev, woken, err)
	}
	if after, _ := s.Stats(); after.Unread != before.Unread+1 {
		t.Errorf("unread %d after waking a read reply, want %d", after.Unread, before.Unread+1)
	}
	if _, woken, _ := s.Wake(a.ID); woken {
		t.Error("a reply woken twice")
	}
	if _, err := s.Snooze(b.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, woken, _ := s.Wake(b.ID); woken {
		t.Error("a reply whose snooze was ended was woken")
	}
	if _, _, ok, _ := s.NextSnooze(); ok {
		t.Error("a snooze is still due after both ended")
	}
	if _, err := s.Snooze(b.ID, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(b.ID); err != nil {
		t.Fatal(err)
	}
	if id, _, ok, _ := s.NextSnooze(); ok {
		t.Errorf("the deleted event %s is still due to come back", id)
	}
}

// The category filter keeps the events of the leads whose current category
// it names, whatever event set it.
func TestListByCategory(t *testing.T) {
	s := openTest(t)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	add := func(typ event.Type, lead, category string, min int) event.Event {
		ev, _, err := s.Append(t.Context(), event.Event{Type: typ, SourceType: string(typ), LeadID: lead, LeadEmail: lead + "@x.test",
			CampaignID: "7", Category: category, Timestamp: at.Add(time.Duration(min) * time.Minute), ReceivedAt: at,
			Key: lead + string(typ) + category})
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	a := add(event.Replied, "a", "", 0)
	b := add(event.Replied, "b", "", 1)
	add(event.CategoryUpdated, "a", "Interested", 2)
	add(event.CategoryUpdated, "b", "Interested", 3)
	add(event.CategoryUpdated, "b", "Not Interested", 4)
	got := listIDs(t, s, Query{Category: "Interested", Type: event.Replied})
	if !slices.Equal(got, []string{a.ID}) {
		t.Errorf("replies of Interested leads: %v, want [%s]", got, a.ID)
	}
	if got := listIDs(t, s, Query{Category: "Not Interested", Type: event.Replied}); !slices.Equal(got, []string{b.ID}) {
		t.Errorf("replies of Not Interested leads: %v, want [%s]", got, b.ID)
	}
	if got := listIDs(t, s, Query{Category: "Out Of Office"}); len(got) != 0 {
		t.Errorf("a category nobody has: %v", got)
	}
}

// A reply's triage reads back with its reason, filters the list, and a
// reply not triaged yet is found as such.
func TestTriage(t *testing.T) {
	s := openTest(t)
	replies := storedReplies(t, s)
	a := replies[0]
	ev, err := s.SetTriage(a.ID, "out_of_office", "says they are out of the office until 12 January")
	if err != nil || ev.Triage != "out_of_office" {
		t.Fatalf("SetTriage: %+v, %v", ev, err)
	}
	if _, err := s.SetTriage(a.ID, "maybe", ""); err == nil {
		t.Error("a class that is none of the classes was taken")
	}
	if got, _ := s.Event(a.ID); got.Triage != "out_of_office" || got.TriageReason != "says they are out of the office until 12 January" || got.Read != a.Read {
		t.Errorf("the reply reads %q %q", got.Triage, got.TriageReason)
	}
	if got := listIDs(t, s, Query{Triage: "out_of_office"}); !slices.Equal(got, []string{a.ID}) {
		t.Errorf("out of office: %v, want [%s]", got, a.ID)
	}
	untriaged := listIDs(t, s, Query{Triage: "none"})
	if slices.Contains(untriaged, a.ID) || len(untriaged) != len(replies)-1 {
		t.Errorf("not triaged yet: %v, want every reply but %s", untriaged, a.ID)
	}
	if page, _ := s.List(Query{Triage: "out_of_office"}); page.Events[0].TriageReason == "" {
		t.Error("a listed reply lacks its triage reason")
	}
}

// NeedsYou counts the unread replies that are not done, snoozed, out of
// the office or automatic, through every change, a delete and a reopen.
func TestNeedsYou(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	replies := storedReplies(t, s)
	want := 0
	for _, ev := range replies {
		if !ev.Read {
			want++
		}
	}
	check := func(what string) {
		t.Helper()
		st, err := s.Stats()
		if err != nil || st.NeedsYou != want {
			t.Fatalf("%s: needs you %d (%v), want %d", what, st.NeedsYou, err, want)
		}
	}
	check("as stored")
	a, b := replies[0], replies[1]
	s.SetRead(a.ID, false)
	s.SetRead(b.ID, false)
	if !a.Read {
		want--
	}
	if !b.Read {
		want--
	}
	want += 2
	check("both unread")
	s.SetDone(a.ID, true)
	want--
	check("one done")
	s.SetDone(a.ID, true)
	check("done twice")
	s.SetTriage(b.ID, "out_of_office", "away")
	want--
	check("one out of the office")
	s.SetTriage(b.ID, "interested", "wants a call")
	want++
	check("then interested")
	s.Snooze(b.ID, time.Now().Add(time.Hour))
	want--
	check("snoozed")
	s.Wake(b.ID)
	want++
	check("back from the snooze")
	if err := s.Delete(b.ID); err != nil {
		t.Fatal(err)
	}
	want--
	check("deleted")
	s.Close()
	if s, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check("after a reopen")
}

// A file from before the counter gets it counted once at open.
func TestNeedsYouCountedForAnOlderFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustAppendAll(t, s, loadFixtures(t))
	before, _ := s.Stats()
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(metaNeeds) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if after, _ := s.Stats(); after.NeedsYou != before.NeedsYou || before.NeedsYou == 0 {
		t.Errorf("needs you %d after counting at open, want %d (not 0)", after.NeedsYou, before.NeedsYou)
	}
}
