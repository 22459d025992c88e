package store

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
)

func TestAppendStoresEachKeyOnceUnderConcurrency(t *testing.T) {
	s := openTest(t)
	const writers, distinct = 32, 200
	evs := genEvents(distinct, 1, "dup-")
	type result struct {
		id  string
		dup bool
	}
	results := make([][]result, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			// Every writer sends every event, in its own order.
			order := rand.New(rand.NewPCG(uint64(w), 1)).Perm(distinct)
			results[w] = make([]result, distinct)
			for _, i := range order {
				st, dup, err := s.Append(context.Background(), evs[i])
				if err != nil {
					t.Error(err)
					return
				}
				results[w][i] = result{st.ID, dup}
			}
		})
	}
	wg.Wait()
	for i := range distinct {
		stored := 0
		for w := range writers {
			r := results[w][i]
			if !r.dup {
				stored++
			}
			if r.id != results[0][i].id {
				t.Fatalf("event %d: writer %d got id %s, writer 0 got %s", i, w, r.id, results[0][i].id)
			}
		}
		if stored != 1 {
			t.Errorf("event %d stored %d times, want once", i, stored)
		}
	}
	st, err := s.Stats()
	if err != nil || st.Total != distinct {
		t.Errorf("Stats().Total = %d (%v), want %d", st.Total, err, distinct)
	}
	all, err := s.After("", MaxLimit)
	if err != nil || len(all) != distinct {
		t.Errorf("After: %d events (%v), want %d", len(all), err, distinct)
	}
}

func TestAppendManyFindsDuplicatesInTheSameBatch(t *testing.T) {
	s := openTest(t)
	evs := genEvents(3, 1, "batch-")
	again := evs[0]
	again.Body = "a redelivery: same key, stored once"
	noKey := evs[2]
	noKey.Key = ""
	input := []event.Event{evs[0], evs[1], again, evs[1], noKey, noKey}
	res, err := s.AppendMany(context.Background(), input)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		dup  bool
		same int // index of the result with the same ID, or -1
	}{{false, -1}, {false, -1}, {true, 0}, {true, 1}, {false, -1}, {false, -1}}
	for i, w := range want {
		if res[i].Dup != w.dup {
			t.Errorf("result %d: Dup = %v, want %v", i, res[i].Dup, w.dup)
		}
		if w.same >= 0 && res[i].Event.ID != res[w.same].Event.ID {
			t.Errorf("result %d: ID %s, want %s", i, res[i].Event.ID, res[w.same].Event.ID)
		}
	}
	if res[2].Event.Body != evs[0].Body {
		t.Errorf("duplicate returned body %q, want the stored one %q", res[2].Event.Body, evs[0].Body)
	}
	if res[4].Event.ID == res[5].Event.ID {
		t.Error("two events without a key got the same ID")
	}
}

func TestAppendFindsDuplicatesAfterReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	// Enough events to fill several journal blocks with dedupe records alone.
	evs := genEvents(3*blockLimit/recDedupeSize+5, 1, "reopen-")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.AppendMany(context.Background(), evs)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, i := range []int{0, len(evs) / 2, len(evs) - 1} {
		st, dup, err := s.Append(context.Background(), evs[i])
		if err != nil || !dup || st.ID != first[i].Event.ID {
			t.Errorf("event %d again: id %s dup %v err %v, want id %s dup true", i, st.ID, dup, err, first[i].Event.ID)
		}
	}
	fresh, dup, err := s.Append(context.Background(), genEvents(1, 9, "new-")[0])
	if err != nil || dup {
		t.Fatalf("new event: dup %v err %v", dup, err)
	}
	if n, _ := strconv.Atoi(fresh.ID); n != len(evs)+1 {
		t.Errorf("new event ID = %s, want %d", fresh.ID, len(evs)+1)
	}
}

func TestAppendAssignsIncreasingIDsAndKeepsFields(t *testing.T) {
	s := openTest(t)
	fixtures := loadFixtures(t)
	stored := mustAppendAll(t, s, fixtures)
	for i, st := range stored {
		if st.ID != strconv.Itoa(i+1) {
			t.Errorf("event %d: ID %q, want %d", i, st.ID, i+1)
		}
		got, err := s.Event(st.ID)
		if err != nil {
			t.Fatalf("Event(%s): %v", st.ID, err)
		}
		want := fixtures[i]
		want.ID = st.ID
		if got.Key != want.Key {
			t.Errorf("event %d: Key %q, want %q", i, got.Key, want.Key)
		}
		if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
			t.Errorf("event %d round trip:\n got %s\nwant %s", i, g, w)
		}
	}
}

func TestAppendReceivedAt(t *testing.T) {
	s := openTest(t)
	ev := loadFixtures(t)[0]
	kept, _, err := s.Append(context.Background(), ev)
	if err != nil || !kept.ReceivedAt.Equal(ev.ReceivedAt) {
		t.Errorf("ReceivedAt = %v (%v), want it kept as %v", kept.ReceivedAt, err, ev.ReceivedAt)
	}
	ev.Key, ev.ReceivedAt = "no-received-at", time.Time{}
	set, _, err := s.Append(context.Background(), ev)
	if err != nil || set.ReceivedAt.IsZero() {
		t.Fatalf("ReceivedAt = %v (%v), want it set", set.ReceivedAt, err)
	}
	got, err := s.Event(set.ID)
	if err != nil || !got.ReceivedAt.Equal(set.ReceivedAt) {
		t.Errorf("stored ReceivedAt = %v (%v), want %v", got.ReceivedAt, err, set.ReceivedAt)
	}
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
