package store

import (
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
)

// leadsBase is the time the lead tests' events happen around.
var leadsBase = time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)

// leadEvent makes an event of lead at leadsBase plus min minutes, with
// only its lead ID: the spec's shape for opens and clicks.
func leadEvent(typ event.Type, lead, key string, min int) event.Event {
	at := leadsBase.Add(time.Duration(min) * time.Minute)
	return event.Event{
		Type: typ, SourceType: string(typ), Timestamp: at, ReceivedAt: at.Add(time.Second),
		CampaignID: "1400137", CampaignName: "Q3 Outreach EU", LeadID: lead, Key: key,
	}
}

// named gives ev an identity.
func named(ev event.Event, email, name, company string) event.Event {
	ev.LeadEmail, ev.LeadName, ev.Company = email, name, company
	return ev
}

// categorized makes a category update of lead to category, from previous.
func categorized(lead, key string, min int, category, previous string) event.Event {
	ev := leadEvent(event.CategoryUpdated, lead, key, min)
	ev.Category, ev.PreviousCategory = category, previous
	return ev
}

// modelLeads is the test's own statement of the lead directory: evs, as
// stored and in the order they were, folded into a Lead per lead ID.
func modelLeads(evs []event.Event) map[string]Lead {
	type state struct {
		lead Lead
		has  bool // a category update was seen
	}
	m := map[string]*state{}
	for _, ev := range evs {
		if ev.LeadID == "" {
			continue
		}
		st := m[ev.LeadID]
		if st == nil {
			st = &state{lead: Lead{ID: ev.LeadID}}
			m[ev.LeadID] = st
		}
		for _, f := range []struct{ dst, v *string }{{&st.lead.Email, &ev.LeadEmail}, {&st.lead.Name, &ev.LeadName}, {&st.lead.Company, &ev.Company}} {
			if *f.v != "" {
				*f.dst = *f.v
			}
		}
		// The newest by event time; of the same time, the later stored.
		if ev.Type == event.CategoryUpdated && (!st.has || !ev.When().Before(st.lead.CategoryAt)) {
			st.lead.Category, st.lead.CategoryAt, st.lead.CampaignID, st.has = ev.Category, ev.When(), ev.CampaignID, true
		}
	}
	out := map[string]Lead{}
	for id, st := range m {
		out[id] = st.lead
	}
	return out
}

// completed is ev as a read returns it, given the leads of modelLeads.
func completed(ev event.Event, leads map[string]Lead) event.Event {
	l, ok := leads[ev.LeadID]
	if !ok {
		return ev
	}
	for _, f := range []struct{ dst, v *string }{{&ev.LeadEmail, &l.Email}, {&ev.LeadName, &l.Name}, {&ev.Company, &l.Company}} {
		if *f.dst == "" {
			*f.dst = *f.v
		}
	}
	if ev.Type != event.CategoryUpdated && ev.Category == "" {
		ev.Category = l.Category
	}
	return ev
}

// checkReads checks that every read returns the events of stored
// completed from the model of the lead directory, and that Lead agrees.
func checkReads(t *testing.T, s *Store, stored []event.Event) {
	t.Helper()
	leads := modelLeads(stored)
	want := map[string]event.Event{}
	for _, ev := range stored {
		want[ev.ID] = completed(ev, leads)
	}
	check := func(how string, got []event.Event, withRaw bool) {
		t.Helper()
		for _, ev := range got {
			w, ok := want[ev.ID]
			if !withRaw {
				w.Raw = nil
			}
			if g, w := mustJSON(t, ev), mustJSON(t, w); !ok || g != w {
				t.Errorf("%s, event %s:\n got %s\nwant %s", how, ev.ID, g, w)
			}
		}
	}
	list := pageAll(t, s, Query{})
	if len(list) != len(stored) {
		t.Fatalf("List: %d events, want %d", len(list), len(stored))
	}
	check("List", list, false)
	var after []event.Event
	for last := ""; ; {
		page, err := s.After(last, MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		after, last = append(after, page...), page[len(page)-1].ID
	}
	if len(after) != len(stored) {
		t.Fatalf("After: %d events, want %d", len(after), len(stored))
	}
	check("After", after, false)
	for _, ev := range stored {
		got, err := s.Event(ev.ID)
		if err != nil {
			t.Fatalf("Event(%s): %v", ev.ID, err)
		}
		check("Event", []event.Event{got}, true)
	}
	for _, id := range slices.Sorted(maps.Keys(leads)) {
		evs, err := s.LeadEvents(id, MaxLimit)
		if err != nil {
			t.Fatalf("LeadEvents(%s): %v", id, err)
		}
		check("LeadEvents("+id+")", evs, false)
		got, ok, err := s.Lead(id)
		if g, w := mustJSON(t, got), mustJSON(t, leads[id]); err != nil || !ok || g != w {
			t.Errorf("Lead(%s) = %s, %v, %v; want %s", id, g, ok, err, w)
		}
	}
	if _, ok, err := s.Lead("no-such-lead"); ok || err != nil {
		t.Errorf("Lead of an unknown lead: ok %v err %v", ok, err)
	}
}

func TestLeadDirectoryCompletesReads(t *testing.T) {
	tests := []struct {
		name string
		evs  []event.Event // appended one by one, reads checked after each
	}{
		{"id-only open after a reply", []event.Event{
			named(leadEvent(event.Replied, "L1", "r1", 10), "ada@lovelace.example", "Ada Lovelace", "Analytical Engines"),
			leadEvent(event.Opened, "L1", "o1", 20),
			leadEvent(event.Clicked, "L1", "c1", 21),
		}},
		{"id-only open before the named event", []event.Event{
			leadEvent(event.Opened, "L2", "o2", 5),
			named(leadEvent(event.Sent, "L2", "s2", 1), "grace@hopper.example", "Grace Hopper", "Navy"),
		}},
		{"a category reaches earlier and later events", []event.Event{
			named(leadEvent(event.Replied, "L3", "r3a", 10), "alan@turing.example", "Alan Turing", "Bletchley"),
			categorized("L3", "k3", 20, "Interested", ""),
			named(leadEvent(event.Replied, "L3", "r3b", 30), "alan@turing.example", "Alan Turing", "Bletchley"),
			leadEvent(event.Opened, "L3", "o3", 40),
		}},
		{"an older category delivered later does not override", []event.Event{
			named(leadEvent(event.Replied, "L4", "r4", 10), "kat@johnson.example", "Katherine Johnson", "NASA"),
			categorized("L4", "k4new", 50, "Meeting Request", "Interested"),
			categorized("L4", "k4old", 20, "Interested", ""),
			leadEvent(event.Opened, "L4", "o4", 60),
		}},
		{"a newer category overrides; of the same time the later stored", []event.Event{
			categorized("L5", "k5a", 20, "Interested", ""),
			categorized("L5", "k5b", 30, "Meeting Request", "Interested"),
			leadEvent(event.Sent, "L5", "s5", 10),
			categorized("L5", "k5c", 30, "Closed", "Meeting Request"),
		}},
		{"a category update set to none", []event.Event{
			categorized("L6", "k6a", 20, "Interested", ""),
			leadEvent(event.Replied, "L6", "r6", 25),
			categorized("L6", "k6b", 30, "", "Interested"),
		}},
		{"the latest non-empty identity; carried values are kept", []event.Event{
			named(leadEvent(event.Sent, "L7", "s7", 10), "edsger@dijkstra.example", "Edsger Dijkstra", "Burroughs"),
			named(leadEvent(event.Replied, "L7", "r7", 20), "ewd@utexas.example", "", ""),
			func() event.Event {
				ev := named(leadEvent(event.Replied, "L7", "r7b", 25), "", "E. W. Dijkstra", "")
				ev.Category = "Carried"
				return ev
			}(),
			categorized("L7", "k7", 30, "Interested", ""),
			leadEvent(event.Opened, "L7", "o7", 40),
		}},
		{"events without a lead", []event.Event{
			named(leadEvent(event.Bounced, "", "b8", 10), "nobody@example.com", "", ""),
			leadEvent(event.Other, "", "x8", 11),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "leadbell.db")
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var stored []event.Event
			for _, ev := range tt.evs {
				stored = append(stored, mustAppendAll(t, s, []event.Event{ev})...)
				checkReads(t, s, stored)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s, err = Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			checkReads(t, s, stored)
		})
	}
}

// TestLeadDirectoryReadsTheTail checks that Event and Lead see a lead's
// events that are still only in the log, without waiting for the writer.
func TestLeadDirectoryReadsTheTail(t *testing.T) {
	s := openTest(t)
	stored := mustAppendAll(t, s, []event.Event{
		named(leadEvent(event.Replied, "T1", "r", 10), "old@example.com", "Old Name", "Old Co"),
		categorized("T1", "k", 15, "Interested", ""),
	})
	release := holdWriter(t, s)
	defer release()
	stored = append(stored, mustAppendAll(t, s, []event.Event{
		leadEvent(event.Opened, "T1", "o", 20),
		named(leadEvent(event.Replied, "T1", "r2", 30), "new@example.com", "New Name", ""),
		categorized("T1", "k2", 35, "Meeting Request", "Interested"),
		categorized("T1", "k0", 5, "Not Interested", ""),
		leadEvent(event.Opened, "T2", "o2", 40),
	})...)
	leads := modelLeads(stored)
	for _, ev := range stored {
		got, err := s.Event(ev.ID)
		if g, w := mustJSON(t, got), mustJSON(t, completed(ev, leads)); err != nil || g != w {
			t.Errorf("Event(%s) with the writer held (%v):\n got %s\nwant %s", ev.ID, err, g, w)
		}
	}
	for _, id := range []string{"T1", "T2"} {
		got, ok, err := s.Lead(id)
		if g, w := mustJSON(t, got), mustJSON(t, leads[id]); err != nil || !ok || g != w {
			t.Errorf("Lead(%s) with the writer held = %s, %v, %v; want %s", id, g, ok, err, w)
		}
	}
	release()
	checkReads(t, s, stored)
}
