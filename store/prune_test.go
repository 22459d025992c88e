package store

import (
	"context"
	"encoding/binary"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// pruneCut is a cutoff inside genEvents' range: the first 200 seconds of
// arrivals, less the late ones, are before it.
var pruneCut = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC).Add(200 * time.Second)

// prunable reports whether Prune(cuts) must delete ev.
func prunable(ev event.Event, cuts map[event.Type]time.Time) bool {
	cut, ok := cuts[ev.Type]
	return ok && ev.When().Before(cut)
}

// checkConsistent recounts the store from its buckets and checks that the
// events, the time index and the counters agree.
func checkConsistent(t *testing.T, s *Store) {
	t.Helper()
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[event.Type]int{}
	total, unread := 0, 0
	err = s.view(func(tx *bolt.Tx) error {
		events, byTime := tx.Bucket(bucketEvents), tx.Bucket(bucketByTime)
		if n, m := events.Stats().KeyN, byTime.Stats().KeyN; n != m {
			t.Errorf("%d events but %d time index entries", n, m)
		}
		return byTime.ForEach(func(k, v []byte) error {
			seq := binary.BigEndian.Uint64(k[8:])
			ev, err := getEvent(tx, seq, false)
			if err != nil {
				t.Errorf("time index entry of seq %d: %v", seq, err)
				return nil
			}
			sum, _ := parseSummary(v)
			if summaryType(sum) != ev.Type {
				t.Errorf("seq %d: summary type %s, event type %s", seq, summaryType(sum), ev.Type)
			}
			counts[ev.Type]++
			total++
			if ev.Type == event.Replied && !ev.Read {
				unread++
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != total || st.Unread != unread || len(st.Counts) != len(counts) {
		t.Errorf("Stats total %d unread %d counts %v, recount %d %d %v", st.Total, st.Unread, st.Counts, total, unread, counts)
	}
	for typ, n := range counts {
		if st.Counts[typ] != n {
			t.Errorf("Stats.Counts[%s] = %d, recount %d", typ, st.Counts[typ], n)
		}
	}
}

func TestPruneKeepsIndexesConsistent(t *testing.T) {
	s := openTest(t)
	s.pruneBatch = 7 // many transactions
	stored := mustAppendMany(t, s, genEvents(600, 0, "p-"))
	if _, err := s.SetRead(firstOfType(t, stored, event.Replied).ID, true); err != nil {
		t.Fatal(err)
	}
	cuts := map[event.Type]time.Time{
		event.Opened: pruneCut, event.Clicked: pruneCut, event.Sent: pruneCut.Add(100 * time.Second),
	}
	want := map[event.Type]int{}
	var kept, gone []event.Event
	for _, ev := range stored {
		if prunable(ev, cuts) {
			want[ev.Type]++
			gone = append(gone, ev)
		} else {
			kept = append(kept, ev)
		}
	}
	if len(gone) == 0 || want[event.Opened] == 0 || want[event.Sent] == 0 {
		t.Fatalf("the cutoffs select nothing to prune: %v", want)
	}
	before, _ := s.Stats()
	got, err := s.Prune(context.Background(), cuts)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []event.Type{event.Opened, event.Clicked, event.Sent} {
		if got[typ] != want[typ] {
			t.Errorf("pruned %d %s, want %d", got[typ], typ, want[typ])
		}
	}
	checkConsistent(t, s)
	after, _ := s.Stats()
	if after.Total != before.Total-len(gone) || after.Unread != before.Unread || after.Counts[event.Replied] != before.Counts[event.Replied] {
		t.Errorf("Stats after pruning %+v, before %+v, %d pruned", after, before, len(gone))
	}

	t.Run("List", func(t *testing.T) {
		all := pageAll(t, s, Query{})
		if len(all) != len(kept) {
			t.Fatalf("List has %d events, want %d", len(all), len(kept))
		}
		for _, ev := range all {
			if prunable(ev, cuts) {
				t.Errorf("List still has pruned event %s (%s)", ev.ID, ev.Type)
			}
		}
		if opened := pageAll(t, s, Query{Type: event.Opened}); len(opened) != after.Counts[event.Opened] {
			t.Errorf("List of opens has %d, Stats %d", len(opened), after.Counts[event.Opened])
		}
		text := pageAll(t, s, Query{Text: gone[0].LeadName})
		for _, ev := range text {
			if prunable(ev, cuts) {
				t.Errorf("a search still finds pruned event %s", ev.ID)
			}
		}
		after, err := s.After("", MaxLimit)
		if err != nil || len(after) != min(len(kept), MaxLimit) {
			t.Errorf("After: %d events, err %v; want %d", len(after), err, min(len(kept), MaxLimit))
		}
	})
	t.Run("Event", func(t *testing.T) {
		if _, err := s.Event(gone[0].ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("Event(pruned) err = %v, want ErrNotFound", err)
		}
		if _, err := s.Event(kept[0].ID); err != nil {
			t.Errorf("Event(kept): %v", err)
		}
	})
	t.Run("LeadEvents", func(t *testing.T) {
		lead := gone[0].LeadID
		evs, err := s.LeadEvents(lead, MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range kept {
			if ev.LeadID == lead {
				n++
			}
		}
		if len(evs) != n {
			t.Errorf("LeadEvents has %d, want %d", len(evs), n)
		}
	})
	t.Run("Overview", func(t *testing.T) {
		o, err := s.Overview(time.Date(2025, 2, 27, 0, 0, 0, 0, time.UTC), time.Hour, 24*5)
		if err != nil {
			t.Fatal(err)
		}
		sum := map[event.Type]int{}
		for _, b := range o.Buckets {
			for typ, n := range b.Counts {
				sum[typ] += n
			}
		}
		for typ, n := range after.Counts {
			if sum[typ] != n {
				t.Errorf("Overview counts %d %s, Stats %d", sum[typ], typ, n)
			}
		}
	})
	t.Run("redelivery is a duplicate", func(t *testing.T) {
		for _, ev := range []event.Event{gone[0], gone[len(gone)-1]} {
			again, dup, err := s.Append(context.Background(), ev)
			if err != nil || !dup || again.ID != ev.ID || again.Type != ev.Type {
				t.Errorf("redelivery of pruned %s: id %s type %s dup %v err %v", ev.ID, again.ID, again.Type, dup, err)
			}
		}
		if st, _ := s.Stats(); st.Total != after.Total {
			t.Errorf("Total %d after redeliveries, want %d", st.Total, after.Total)
		}
	})
	t.Run("after reopening", func(t *testing.T) {
		path := s.Path()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s2, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		checkConsistent(t, s2)
		again, dup, err := s2.Append(context.Background(), gone[1])
		if err != nil || !dup || again.ID != gone[1].ID {
			t.Errorf("redelivery after reopening: id %s dup %v err %v", again.ID, dup, err)
		}
		// A new event whose fingerprint run holds pruned entries is stored.
		fresh := genEvents(1, 9000, "fresh-")[0]
		if _, dup, err := s2.Append(context.Background(), fresh); err != nil || dup {
			t.Errorf("fresh event: dup %v err %v", dup, err)
		}
	})
}

// prunableTypes are the types Leadbell subscribes to that Prune deletes:
// all but replies and category updates.
func prunableTypes() []event.Type {
	var out []event.Type
	for _, typ := range event.Types {
		if typ != event.Replied && typ != event.CategoryUpdated {
			out = append(out, typ)
		}
	}
	return out
}

func TestPruneNeverDeletesRepliesOrCategories(t *testing.T) {
	s := openTest(t)
	evs := genEvents(300, 0, "r-")
	for i := 0; i < len(evs); i += 10 {
		evs[i].Type, evs[i].Category = event.CategoryUpdated, "Interested"
	}
	stored := mustAppendMany(t, s, evs)
	far := time.Now().Add(24 * time.Hour)
	tests := []struct {
		typ  event.Type
		want error
	}{
		{event.Replied, ErrKeepReplies},
		{event.CategoryUpdated, ErrKeepCategories},
	}
	for _, tt := range tests {
		cuts := map[event.Type]time.Time{event.Opened: far, tt.typ: far}
		if n, err := s.Prune(context.Background(), cuts); !errors.Is(err, tt.want) || len(n) != 0 {
			t.Fatalf("Prune of %s: deleted %v, err = %v, want none and %v", tt.typ, n, err, tt.want)
		}
	}
	cuts := map[event.Type]time.Time{}
	for _, typ := range prunableTypes() {
		cuts[typ] = far
	}
	if _, err := s.Prune(context.Background(), cuts); err != nil {
		t.Fatal(err)
	}
	kept := map[event.Type]int{}
	for _, ev := range stored {
		if ev.Type == event.Replied || ev.Type == event.CategoryUpdated {
			kept[ev.Type]++
		}
	}
	st, _ := s.Stats()
	if kept[event.Replied] == 0 || kept[event.CategoryUpdated] == 0 ||
		st.Total != kept[event.Replied]+kept[event.CategoryUpdated] || len(st.Counts) != 2 ||
		st.Counts[event.Replied] != kept[event.Replied] || st.Counts[event.CategoryUpdated] != kept[event.CategoryUpdated] {
		t.Errorf("after pruning everything else: %+v, want %v only", st, kept)
	}
	checkConsistent(t, s)
}

func TestPruneStoppedHalfwayLeavesAConsistentStore(t *testing.T) {
	s := openTest(t)
	s.pruneBatch = 10
	stored := mustAppendMany(t, s, genEvents(400, 0, "c-"))
	cuts := map[event.Type]time.Time{event.Sent: pruneCut, event.Opened: pruneCut}
	ctx, cancel := context.WithCancel(context.Background())
	var copyPath string
	batches := 0
	s.afterPrune = func(map[event.Type]int) {
		if batches++; batches == 2 {
			// A kill -9 between two of Prune's transactions.
			release := holdWriter(t, s)
			copyPath = crashCopy(t, s)
			release()
			cancel()
		}
	}
	got, err := s.Prune(ctx, cuts)
	if !errors.Is(err, context.Canceled) || got[event.Sent]+got[event.Opened] != 20 {
		t.Fatalf("Prune stopped with %v after %v, want context.Canceled after 20", err, got)
	}
	checkConsistent(t, s)
	// What remains is pruned by the next call.
	s.afterPrune = nil
	if _, err := s.Prune(context.Background(), cuts); err != nil {
		t.Fatal(err)
	}
	checkConsistent(t, s)

	c, err := Open(copyPath, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	checkConsistent(t, c)
	if st, _ := c.Stats(); st.Total != len(stored)-20 {
		t.Errorf("crash copy holds %d events, want %d", st.Total, len(stored)-20)
	}
	for _, ev := range stored[:5] {
		again, dup, err := c.Append(context.Background(), ev)
		if err != nil || !dup || again.ID != ev.ID {
			t.Errorf("redelivery of %s after the crash: id %s dup %v err %v", ev.ID, again.ID, dup, err)
		}
	}
	if _, err := c.Prune(context.Background(), cuts); err != nil {
		t.Fatal(err)
	}
	checkConsistent(t, c)
}

func TestPruneAfterClose(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "leadbell.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustAppendMany(t, s, genEvents(50, 0, "x-"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	cuts := map[event.Type]time.Time{event.Sent: pruneCut}
	if _, err := s.Prune(context.Background(), cuts); !errors.Is(err, ErrClosed) {
		t.Errorf("Prune after Close: %v, want ErrClosed", err)
	}
}

// mustAppendMany stores evs with AppendMany and returns them as stored.
func mustAppendMany(t *testing.T, s *Store, evs []event.Event) []event.Event {
	t.Helper()
	rs, err := s.AppendMany(context.Background(), evs)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]event.Event, len(rs))
	for i, r := range rs {
		if r.Dup {
			t.Fatalf("event %d is a duplicate", i)
		}
		out[i] = r.Event
	}
	return out
}

func firstOfType(t *testing.T, evs []event.Event, typ event.Type) event.Event {
	t.Helper()
	for _, ev := range evs {
		if ev.Type == typ {
			return ev
		}
	}
	t.Fatalf("no %s event", typ)
	return event.Event{}
}

// pageAll pages through List.
func pageAll(t *testing.T, s *Store, q Query) []event.Event {
	t.Helper()
	var all []event.Event
	q.Limit = MaxLimit
	for {
		p, err := s.List(q)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, p.Events...)
		if p.Next == "" {
			return all
		}
		q.Before = p.Next
	}
}
