package store

import (
	"encoding/base64"
	"errors"
	"slices"
	"testing"

	"github.com/leadbell/leadbell/event"
)

// fixtureOrder is testdata/events.json newest first by event time: #11 and
// #10 have no usable timestamp (missing, or too far in the future) so they
// sort by arrival; #9 and #2 share 09:30 and the later arrival comes first;
// #3 arrived fourth but happened first.
var fixtureOrder = []int{11, 10, 8, 7, 6, 4, 9, 2, 5, 1, 0, 3}

func TestListOrdersByEventTime(t *testing.T) {
	s := openTest(t)
	stored := mustAppendAll(t, s, loadFixtures(t))
	page, err := s.List(Query{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if got := indexesOf(stored, page.Events); !slices.Equal(got, fixtureOrder) {
		t.Errorf("order = %v, want %v", got, fixtureOrder)
	}
	if page.Next != "" {
		t.Errorf("Next = %q on the only page", page.Next)
	}
	for _, ev := range page.Events {
		if len(ev.Raw) != 0 {
			t.Fatalf("event %s has Raw in a list", ev.ID)
		}
	}
}

func TestListFilters(t *testing.T) {
	s := openTest(t)
	stored := mustAppendAll(t, s, loadFixtures(t))
	if _, err := s.SetRead(stored[2].ID, true); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		q    Query
		want []int
	}{
		{"type", Query{Type: event.Replied}, []int{6, 9, 2}},
		{"type other", Query{Type: event.Other}, []int{8}},
		{"type unknown", Query{Type: "EMAIL_FORWARDED"}, []int{}},
		{"campaign", Query{Campaign: "1400274"}, []int{11, 7, 6, 4, 3}},
		{"campaign unknown", Query{Campaign: "999"}, []int{}},
		{"lead", Query{Lead: "1480031"}, []int{8, 2, 5, 1, 0}},
		{"lead unknown", Query{Lead: "42"}, []int{}},
		{"unread replies", Query{Type: event.Replied, Unread: true}, []int{6, 9}},
		{"unread", Query{Unread: true}, []int{11, 10, 8, 7, 6, 4, 9, 5, 1, 0, 3}},
		{"campaign and type", Query{Campaign: "1400137", Type: event.Replied}, []int{9, 2}},
		{"lead and campaign", Query{Lead: "1480062", Campaign: "1400274"}, []int{7, 6, 3}},
		{"lead of another campaign", Query{Lead: "1480062", Campaign: "1400137"}, []int{}},
		{"text in body", Query{Text: "pricing"}, []int{2}},
		{"text ignores case", Query{Text: "HubSpot PRICING"}, []int{2}},
		{"text non-ASCII case", Query{Text: "CHLOÉ"}, []int{10, 9}},
		{"text in email", Query{Text: "globex.example"}, []int{7, 6, 3}},
		{"text in company", Query{Text: "acme robotics"}, []int{10, 9}},
		{"text in campaign name", Query{Text: "saas"}, []int{11, 7, 6, 4, 3}},
		{"text in subject", Query{Text: "following up"}, []int{10}},
		{"text words in different fields", Query{Text: "aisha hubspot"}, []int{2}},
		{"text every word must match", Query{Text: "mateo pricing"}, []int{}},
		{"text unknown word", Query{Text: "zeppelin"}, []int{}},
		{"text blank", Query{Text: "   "}, fixtureOrder},
		{"text and type and unread", Query{Text: "remove", Type: event.Replied, Unread: true}, []int{6}},
		{"text and read filter", Query{Text: "pricing", Unread: true}, []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.List(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := indexesOf(stored, page.Events); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestListPagesWalkEverythingOnce(t *testing.T) {
	s := openTest(t)
	mustAppendAll(t, s, loadFixtures(t))
	if _, err := s.AppendMany(t.Context(), genEvents(700, 3, "page-")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		q     Query
		limit int
	}{
		{"all, small pages", Query{}, 7},
		{"all, default pages", Query{}, 0},
		{"all, largest pages", Query{}, MaxLimit},
		{"replies", Query{Type: event.Replied}, 5},
		{"campaign and text", Query{Campaign: "1400137", Text: "question"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := listAll(t, s, tt.q)
			q := tt.q
			q.Limit = tt.limit
			var got []event.Event
			for pages := 0; ; pages++ {
				if pages > 1000 {
					t.Fatal("paging does not end")
				}
				page, err := s.List(q)
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Events) > clampLimit(tt.limit) {
					t.Fatalf("page of %d events, limit %d", len(page.Events), clampLimit(tt.limit))
				}
				got = append(got, page.Events...)
				if page.Next == "" {
					break
				}
				q.Before = page.Next
			}
			if len(got) != len(want) {
				t.Fatalf("pages hold %d events, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i].ID != want[i].ID {
					t.Fatalf("event %d of the walk is %s, want %s", i, got[i].ID, want[i].ID)
				}
			}
		})
	}
}

// listAll returns every event matching q, newest first, by sorting what
// After returns: an oracle independent of the time index.
func listAll(t *testing.T, s *Store, q Query) []event.Event {
	t.Helper()
	var all []event.Event
	for id := ""; ; {
		evs, err := s.After(id, MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		all = append(all, evs...)
		id = evs[len(evs)-1].ID
	}
	var want []event.Event
	for _, ev := range all {
		if (q.Type == "" || ev.Type == q.Type) && (q.Campaign == "" || ev.CampaignID == q.Campaign) &&
			(q.Text == "" || containsFold(ev, q.Text)) {
			want = append(want, ev)
		}
	}
	slices.SortStableFunc(want, func(a, b event.Event) int {
		if c := b.When().Compare(a.When()); c != 0 {
			return c
		}
		return cmpU64(mustSeq(b.ID), mustSeq(a.ID))
	})
	return want
}

func mustSeq(id string) uint64 {
	seq, ok := parseID(id)
	if !ok {
		panic("bad id " + id)
	}
	return seq
}

func TestListLimits(t *testing.T) {
	s := openTest(t)
	if _, err := s.AppendMany(t.Context(), genEvents(MaxLimit+20, 4, "limit-")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		limit, want int
	}{{-1, DefaultLimit}, {0, DefaultLimit}, {1, 1}, {MaxLimit, MaxLimit}, {MaxLimit + 1, MaxLimit}}
	for _, tt := range tests {
		page, err := s.List(Query{Limit: tt.limit})
		if err != nil || len(page.Events) != tt.want || page.Next == "" {
			t.Errorf("Limit %d: %d events, next %q, err %v; want %d and a next page", tt.limit, len(page.Events), page.Next, err, tt.want)
		}
	}
}

func TestListRejectsBadCursor(t *testing.T) {
	s := openTest(t)
	for _, cursor := range []string{"not base64!", base64.RawURLEncoding.EncodeToString([]byte("short")), "AAAA"} {
		if _, err := s.List(Query{Before: cursor}); !errors.Is(err, ErrBadCursor) {
			t.Errorf("Before %q: err = %v, want ErrBadCursor", cursor, err)
		}
	}
}
