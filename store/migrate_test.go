package store

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// testdata/schema1.db.gz is a file written by the schema 1 store: the
// events of testdata/events.json appended one by one, then genEvents(150,
// 1, "v1-") the same way.
func openSchema1(t *testing.T) (*Store, []event.Event) {
	t.Helper()
	return openFixture(t, "schema1.db.gz"), append(loadFixtures(t), genEvents(150, 1, "v1-")...)
}

// openFixture opens a copy of a gzipped database file from testdata.
func openFixture(t *testing.T, name string) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "leadbell.db")
	unzipFixture(t, name, path)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open of %s: %v", name, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// unzipFixture writes the gzipped file name from testdata to path.
func unzipFixture(t *testing.T, name, path string) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// testdata/schema2.db.gz is a file written by the schema 2 store (before
// the write-ahead log): the events of testdata/events.json appended one by
// one, then genEvents(150, 1, "v2-") the same way, then event 3 marked
// read.
func TestOpenUpgradesSchema2(t *testing.T) {
	s := openFixture(t, "schema2.db.gz")
	evs := append(loadFixtures(t), genEvents(150, 1, "v2-")...)
	if err := s.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(metaSchema); readU64(v) != schemaVersion {
			t.Errorf("schema %x after the upgrade, want %d", v, schemaVersion)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stats(); st.Total != len(evs) {
		t.Fatalf("Total = %d, want %d", st.Total, len(evs))
	}
	if ev, err := s.Event("3"); err != nil || ev.Key != evs[2].Key || !ev.Read {
		t.Errorf("Event(3) = key %q read %v (%v), want %q, read", ev.Key, ev.Read, err, evs[2].Key)
	}
	for _, i := range []int{0, 12, len(evs) - 1} {
		got, dup, err := s.Append(context.Background(), evs[i])
		if err != nil || !dup || got.ID != strconv.Itoa(i+1) {
			t.Errorf("event %d again: id %s dup %v err %v, want dup of %d", i, got.ID, dup, err, i+1)
		}
	}
	ev := evs[40]
	ev.Key = "after-upgrade"
	got, dup, err := s.Append(context.Background(), ev)
	if err != nil || dup || got.ID != strconv.Itoa(len(evs)+1) {
		t.Errorf("Append: id %s dup %v err %v, want id %d", got.ID, dup, err, len(evs)+1)
	}
	page, err := s.List(Query{Lead: ev.LeadID, Limit: MaxLimit})
	if err != nil || !slices.ContainsFunc(page.Events, func(e event.Event) bool { return e.ID == got.ID }) {
		t.Errorf("List(lead %s) = %d events (%v), want the new one among them", ev.LeadID, len(page.Events), err)
	}
}

func TestOpenUpgradesSchema1(t *testing.T) {
	s, evs := openSchema1(t)
	if err := s.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(metaSchema); readU64(v) != schemaVersion {
			t.Errorf("schema %x after the upgrade, want %d", v, schemaVersion)
		}
		for _, name := range [][]byte{bucketDedupeV1, bucketStrHashV1} {
			if tx.Bucket(name) != nil {
				t.Errorf("bucket %s is still there", name)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stats(); st.Total != len(evs) {
		t.Fatalf("Total = %d, want %d", st.Total, len(evs))
	}

	t.Run("duplicates", func(t *testing.T) {
		for _, i := range []int{0, 11, 12, len(evs) - 1} {
			got, dup, err := s.Append(context.Background(), evs[i])
			if err != nil || !dup || got.ID != strconv.Itoa(i+1) {
				t.Errorf("event %d again: id %s dup %v err %v, want dup of %d", i, got.ID, dup, err, i+1)
			}
		}
	})
	t.Run("filters", func(t *testing.T) {
		tests := []struct {
			name  string
			q     Query
			match func(ev event.Event) bool
		}{
			{"campaign", Query{Campaign: evs[20].CampaignID}, func(ev event.Event) bool { return ev.CampaignID == evs[20].CampaignID }},
			{"lead", Query{Lead: evs[30].LeadID}, func(ev event.Event) bool { return ev.LeadID == evs[30].LeadID }},
			{"text", Query{Text: "pricing"}, func(ev event.Event) bool { return containsFold(ev, "pricing") }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				page, err := s.List(Query{Campaign: tt.q.Campaign, Lead: tt.q.Lead, Text: tt.q.Text, Limit: MaxLimit})
				if err != nil {
					t.Fatal(err)
				}
				var got, want []string
				for _, ev := range page.Events {
					got = append(got, ev.Key)
				}
				for _, ev := range evs {
					if tt.match(ev) {
						want = append(want, ev.Key)
					}
				}
				slices.Sort(got)
				slices.Sort(want)
				if len(want) == 0 || !slices.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			})
		}
	})
	t.Run("new event reuses strings", func(t *testing.T) {
		var before, after uint64
		seq := func() (n uint64) {
			_ = s.view(func(tx *bolt.Tx) error { n = lastStringID(tx); return nil })
			return n
		}
		before = seq()
		ev := evs[40]
		ev.Key = "after-upgrade"
		got, dup, err := s.Append(context.Background(), ev)
		if err != nil || dup || got.ID != strconv.Itoa(len(evs)+1) {
			t.Fatalf("Append: id %s dup %v err %v, want id %d", got.ID, dup, err, len(evs)+1)
		}
		if after = seq(); after != before {
			t.Errorf("strings %d -> %d: the upgrade lost known strings", before, after)
		}
		lead, err := s.LeadEvents(ev.LeadID, MaxLimit)
		if err != nil || !slices.ContainsFunc(lead, func(e event.Event) bool { return e.ID == got.ID }) {
			t.Errorf("LeadEvents(%s) = %d events (%v), want the new one among them", ev.LeadID, len(lead), err)
		}
	})
}
