package store

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// TestLeadDirectoryWritesOnlyChanges counts the directory's writes for
// an event appended after a known lead's reply.
func TestLeadDirectoryWritesOnlyChanges(t *testing.T) {
	reply := named(leadEvent(event.Replied, "W1", "w-reply", 10), "ada@lovelace.example", "Ada Lovelace", "Analytical Engines")
	category := categorized("W1", "w-cat", 20, "Interested", "")
	tests := []struct {
		name   string
		ev     event.Event
		writes uint64
	}{
		{"a new lead", leadEvent(event.Opened, "W2", "a", 30), 1},
		{"an id-only open of a known lead", leadEvent(event.Opened, "W1", "b", 30), 0},
		{"a send with the same identity", named(leadEvent(event.Sent, "W1", "c", 30), reply.LeadEmail, reply.LeadName, reply.Company), 0},
		{"a send with part of the identity", named(leadEvent(event.Sent, "W1", "d", 30), reply.LeadEmail, "", ""), 0},
		{"a changed company", named(leadEvent(event.Sent, "W1", "e", 30), "", "", "Babbage & Co"), 1},
		{"a newer category", categorized("W1", "f", 30, "Meeting Request", "Interested"), 1},
		{"an older category", categorized("W1", "g", 5, "Not Interested", ""), 0},
		{"the category update again (a duplicate)", category, 0},
		{"the reply again (a duplicate)", reply, 0},
		{"an event without a lead", leadEvent(event.Bounced, "", "h", 30), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			mustAppendAll(t, s, []event.Event{reply, category})
			s.awaitApplied()
			snapshot := func() map[string]string {
				m := map[string]string{}
				if err := s.view(func(tx *bolt.Tx) error {
					return tx.Bucket(bucketLeads).ForEach(func(k, v []byte) error { m[string(k)] = string(v); return nil })
				}); err != nil {
					t.Fatal(err)
				}
				return m
			}
			before, records := s.leadWrites.Load(), snapshot()
			if _, _, err := s.Append(context.Background(), tt.ev); err != nil {
				t.Fatal(err)
			}
			s.awaitApplied()
			if got := s.leadWrites.Load() - before; got != tt.writes {
				t.Errorf("%d directory writes, want %d", got, tt.writes)
			}
			if after := snapshot(); tt.writes == 0 && !maps.Equal(after, records) {
				t.Errorf("the directory changed without a write")
			}
		})
	}
}

// TestReplayKeepsTheLeadDirectory: events answered but not applied before
// a crash reach the directory when Open replays them.
func TestReplayKeepsTheLeadDirectory(t *testing.T) {
	s := openTest(t)
	stored := mustAppendAll(t, s, []event.Event{
		named(leadEvent(event.Replied, "R1", "r", 10), "ada@lovelace.example", "Ada Lovelace", "Analytical Engines"),
		leadEvent(event.Opened, "R2", "o-before", 5),
	})
	release := holdWriter(t, s)
	defer release()
	stored = append(stored, mustAppendAll(t, s, []event.Event{
		leadEvent(event.Opened, "R1", "o", 20),
		categorized("R1", "k", 30, "Interested", ""),
		categorized("R1", "k-old", 1, "Not Interested", ""),
		named(leadEvent(event.Sent, "R2", "s", 1), "grace@hopper.example", "Grace Hopper", "Navy"),
		leadEvent(event.Opened, "R3", "o3", 40),
	})...)
	path := crashCopy(t, s)

	c := openCopy(t, path, stored)
	checkReads(t, c, stored)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, seq := directory(t, path); seq != uint64(len(stored)) {
		t.Errorf("leads_seq %d after the replay, want %d", seq, len(stored))
	}
}

// TestDeleteOfACategoryUpdate: the lead's category falls back to its
// newest remaining update.
func TestDeleteOfACategoryUpdate(t *testing.T) {
	s := openTest(t)
	stored := mustAppendAll(t, s, []event.Event{
		named(leadEvent(event.Replied, "D1", "r", 10), "ada@lovelace.example", "Ada Lovelace", "Analytical Engines"),
		categorized("D1", "k1", 20, "Interested", ""),
		categorized("D1", "k3", 40, "Closed", "Meeting Request"),
		categorized("D1", "k2", 30, "Meeting Request", "Interested"),
		categorized("D2", "other", 50, "Do Not Contact", ""),
	})
	tests := []struct {
		name   string
		delete int // index into stored
		want   string
	}{
		{"not the current one", 1, "Closed"},
		{"the current one", 2, "Meeting Request"},
		{"the last one", 3, ""},
	}
	left := slices.Clone(stored)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Delete(stored[tt.delete].ID); err != nil {
				t.Fatal(err)
			}
			left = slices.DeleteFunc(left, func(ev event.Event) bool { return ev.ID == stored[tt.delete].ID })
			if l, _, err := s.Lead("D1"); err != nil || l.Category != tt.want {
				t.Errorf("category %q (%v), want %q", l.Category, err, tt.want)
			}
			checkReads(t, s, left)
		})
	}
}

// TestLeadRecordNamesAnEvent checks the record's two forms (leads_codec.go)
// and that deleting the event a record names keeps the lead's identity.
func TestLeadRecordNamesAnEvent(t *testing.T) {
	sent := named(leadEvent(event.Sent, "N1", "n-sent", -600), "ada@lovelace.example", "Ada Lovelace", "Analytical Engines")
	tests := []struct {
		name   string
		evs    []event.Event
		form   byte                                               // of N1's record once evs are stored
		remove func(t *testing.T, s *Store, stored []event.Event) // then this
		gone   int                                                // deletes stored[gone]
	}{
		{"one event's identity, pruned", []event.Event{sent, leadEvent(event.Opened, "N1", "n-open", 10)}, leadCodecRef,
			func(t *testing.T, s *Store, _ []event.Event) {
				if n, err := s.Prune(context.Background(), map[event.Type]time.Time{event.Sent: leadsBase}); err != nil || n[event.Sent] != 1 {
					t.Fatalf("Prune: %v, %v", n, err)
				}
			}, 0},
		{"one event's identity, deleted", []event.Event{sent, leadEvent(event.Opened, "N1", "n-open", 10)}, leadCodecRef,
			func(t *testing.T, s *Store, stored []event.Event) {
				if err := s.Delete(stored[0].ID); err != nil {
					t.Fatal(err)
				}
			}, 0},
		{"a newer identity names the newer event", []event.Event{
			sent, named(leadEvent(event.Replied, "N1", "n-reply", 10), "ada@byron.example", "Ada King", "Analytical Engines"),
			leadEvent(event.Opened, "N1", "n-open", 20),
		}, leadCodecRef, func(t *testing.T, s *Store, stored []event.Event) {
			if err := s.Delete(stored[1].ID); err != nil {
				t.Fatal(err)
			}
		}, 1},
		{"an identity from two events holds the strings", []event.Event{
			sent, named(leadEvent(event.Replied, "N1", "n-reply", 10), "ada@byron.example", "", ""),
			leadEvent(event.Opened, "N1", "n-open", 20),
		}, leadCodecV1, func(t *testing.T, s *Store, stored []event.Event) {
			if err := s.Delete(stored[1].ID); err != nil {
				t.Fatal(err)
			}
		}, 1},
		{"no identity yet", []event.Event{leadEvent(event.Opened, "N1", "n-open", 10)}, leadCodecV1, nil, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			stored := mustAppendAll(t, s, tt.evs)
			want := modelLeads(stored)["N1"]
			if err := s.view(func(tx *bolt.Tx) error {
				id, _ := s.readLookup(idPart(idLead, "N1"))
				if v := tx.Bucket(bucketLeads).Get(strKey(id)); len(v) == 0 || v[0] != tt.form {
					t.Errorf("record %x, want form %d", v, tt.form)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			checkReads(t, s, stored)
			if tt.remove == nil {
				return
			}
			tt.remove(t, s, stored)
			left := slices.Delete(slices.Clone(stored), tt.gone, tt.gone+1)
			// What the lead's events told stays, though one is gone.
			if got, ok, err := s.Lead("N1"); err != nil || !ok || got != want {
				t.Errorf("Lead after the removal = %+v, %v, %v; want %+v", got, ok, err, want)
			}
			for _, ev := range left {
				got, err := s.Event(ev.ID)
				if g, w := mustJSON(t, got), mustJSON(t, completed(ev, map[string]Lead{"N1": want})); err != nil || g != w {
					t.Errorf("Event(%s) after the removal (%v):\n got %s\nwant %s", ev.ID, err, g, w)
				}
			}
		})
	}
}
