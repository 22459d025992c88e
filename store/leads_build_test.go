package store

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// directory returns the leads bucket's records and leads_seq of the file
// at path, which no store has open.
func directory(t *testing.T, path string) (map[string]string, uint64) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := map[string]string{}
	var seq uint64
	err = db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(metaLeadsSeq); len(v) == 8 {
			seq = readU64(v)
		}
		if events := tx.Bucket(bucketEvents).Sequence(); seq != events {
			t.Errorf("leads_seq %d, events' sequence %d", seq, events)
		}
		return tx.Bucket(bucketLeads).ForEach(func(k, v []byte) error { m[string(k)] = string(v); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, seq
}

// leadsMix makes n generated events with id-only opens and category
// updates among them, some late.
func leadsMix(n int) []event.Event {
	evs := genEvents(n, 1, "mix-")
	categories := []string{"Interested", "Meeting Request", "Not Interested", "Out of Office"}
	for i := range evs {
		switch i % 7 {
		case 3:
			evs[i].Type = event.CategoryUpdated
			evs[i].Category = categories[i%len(categories)]
		case 5:
			evs[i].LeadEmail, evs[i].LeadName, evs[i].Company = "", "", ""
		}
	}
	return evs
}

// TestOpenCatchesUpTheLeadDirectory checks that the directory Open builds
// from the events, for a file without one or with part of one, is the one
// the writer keeps as it applies them, and that reads use it.
func TestOpenCatchesUpTheLeadDirectory(t *testing.T) {
	tests := []struct {
		name  string
		chunk int
		undo  func(tx *bolt.Tx, seq uint64) error // what is lost of the directory
	}{
		{"no directory (a file from before it)", 0, func(tx *bolt.Tx, _ uint64) error {
			if err := tx.DeleteBucket(bucketLeads); err != nil {
				return err
			}
			return tx.Bucket(bucketMeta).Delete(metaLeadsSeq)
		}},
		{"no directory, built in small transactions", 37, func(tx *bolt.Tx, _ uint64) error {
			if err := tx.DeleteBucket(bucketLeads); err != nil {
				return err
			}
			return tx.Bucket(bucketMeta).Delete(metaLeadsSeq)
		}},
		{"half of it (a crash midway, or events stored by an older binary)", 0, func(tx *bolt.Tx, seq uint64) error {
			return tx.Bucket(bucketMeta).Put(metaLeadsSeq, u64(seq/2))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "leadbell.db")
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			stored := mustAppendMany(t, s, leadsMix(700))
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			want, seq := directory(t, path)
			if len(want) == 0 || seq != uint64(len(stored)) {
				t.Fatalf("the writer kept %d leads up to seq %d", len(want), seq)
			}
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(func(tx *bolt.Tx) error { return tt.undo(tx, seq) }); err != nil {
				t.Fatal(err)
			}
			db.Close()

			s, err = Open(path, Options{leadsChunk: tt.chunk})
			if err != nil {
				t.Fatal(err)
			}
			checkReads(t, s, stored)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if got, gotSeq := directory(t, path); !maps.Equal(got, want) || gotSeq != seq {
				t.Errorf("built %d leads up to seq %d, want the writer's %d up to %d", len(got), gotSeq, len(want), seq)
			}
		})
	}
}

// codec1Events are the events of testdata/codec1.db.gz and its log files,
// written by the store before codec 2 (and the lead directory): applied
// were in bbolt, logged only in the log (the writer was held) when the
// files were copied, as a kill -9 would leave them.
func codec1Events(t *testing.T) (applied, logged []event.Event) {
	at := time.Date(2025, 3, 2, 9, 0, 0, 0, time.UTC)
	idOnly := func(typ event.Type, lead, key string, min int) event.Event {
		return event.Event{Type: typ, SourceType: string(typ), Timestamp: at.Add(time.Duration(min) * time.Minute),
			ReceivedAt: at.Add(time.Duration(min) * time.Minute), CampaignID: "1400137", LeadID: lead, Key: key}
	}
	applied = append(loadFixtures(t), genEvents(100, 1, "c1-")...)
	applied = append(applied,
		idOnly(event.Opened, "1480031", "c1-open-1480031", 1),
		idOnly(event.Opened, "1489999", "c1-open-1489999", 2))
	reply := idOnly(event.Replied, "1489999", "c1-reply-1489999", 3)
	reply.LeadEmail, reply.LeadName, reply.Company, reply.Body = "zed.quill@quillworks.example", "Zed Quill", "Quillworks", "Tell me more."
	logged = []event.Event{reply, idOnly(event.Clicked, "1480062", "c1-click-1480062", 4)}
	return applied, logged
}

func TestOpenReadsAFileOfCodec1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	unzipFixture(t, "codec1.db.gz", path)
	unzipFixture(t, "codec1.db.wal0.gz", walPaths(path)[0])
	unzipFixture(t, "codec1.db.wal1.gz", walPaths(path)[1])
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	applied, logged := codec1Events(t)
	all := append(applied, logged...)
	got, err := s.After("", MaxLimit)
	if err != nil || len(got) != len(all) {
		t.Fatalf("After: %d events (%v), want %d", len(got), err, len(all))
	}
	// The fixtures without a ReceivedAt got the time they were stored.
	for i := range all {
		all[i].ID, all[i].ReceivedAt = got[i].ID, got[i].ReceivedAt
	}
	leads := modelLeads(all)
	if l := leads["1489999"]; l.Name != "Zed Quill" || leads["1480031"].Email == "" {
		t.Fatalf("the model is not what the test needs: %+v", leads)
	}
	for i, ev := range got {
		want := completed(all[i], leads)
		if ev.Key != want.Key || ev.LeadEmail != want.LeadEmail || ev.LeadName != want.LeadName || ev.Company != want.Company ||
			ev.StatsID != "" || ev.Category != "" || ev.PreviousCategory != "" {
			t.Errorf("event %s: key %q lead %q %q %q, new fields %q %q %q; want key %q lead %q %q %q and no new fields",
				ev.ID, ev.Key, ev.LeadEmail, ev.LeadName, ev.Company, ev.StatsID, ev.Category, ev.PreviousCategory,
				want.Key, want.LeadEmail, want.LeadName, want.Company)
		}
	}
	for id, want := range leads {
		if got, ok, err := s.Lead(id); err != nil || !ok || got != want {
			t.Errorf("Lead(%s) = %+v, %v, %v; want %+v", id, got, ok, err, want)
		}
	}
	// New events are written in codec 2 beside the old ones.
	ev := categorized("1489999", "c2-category", 10, "Interested", "")
	ev.StatsID = "stats-1"
	stored := mustAppendAll(t, s, []event.Event{ev})[0]
	if got, err := s.Event(stored.ID); err != nil || got.StatsID != "stats-1" || got.Category != "Interested" || got.LeadName != "Zed Quill" {
		t.Errorf("Event(%s) = stats %q category %q name %q (%v)", stored.ID, got.StatsID, got.Category, got.LeadName, err)
	}
	open := got[len(applied)-1] // the id-only open of lead 1489999
	if ev, err := s.Event(open.ID); err != nil || ev.Category != "Interested" || ev.LeadName != "Zed Quill" {
		t.Errorf("the id-only open of lead 1489999 reads category %q name %q (%v), want Interested, Zed Quill", ev.Category, ev.LeadName, err)
	}
}

// peakRSS is the process's peak resident set (VmHWM) in kB, 0 where /proc
// does not say.
func peakRSS() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

// BenchmarkOpenBuildsLeads measures what Open spends building the lead
// directory (leads_build.go) of a file of benchEvents events written
// before it existed, against an Open that finds it built. leads=2500 are
// genEvents' leads; leads=unique gives every event a lead of its own, as
// the ingest bench does. The file is in the page cache.
func BenchmarkOpenBuildsLeads(b *testing.B) {
	for _, unique := range []bool{false, true} {
		name := "leads=2500"
		if unique {
			name = "leads=unique"
		}
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "leadbell.db")
			s, err := Open(path, Options{})
			if err != nil {
				b.Fatal(err)
			}
			const chunk = 50_000
			for have, n := 0, benchEvents(b); have < n; have += chunk {
				evs := genEvents(min(chunk, n-have), uint64(have), "b"+strconv.Itoa(have)+"-")
				for i := range evs {
					if unique {
						evs[i].LeadID = "u" + strconv.Itoa(have+i)
					}
				}
				if _, err := s.AppendMany(context.Background(), evs); err != nil {
					b.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
			// timeOpen opens and closes the store, first dropping the
			// directory if drop, and returns how long Open took and the
			// peak RSS meanwhile (VmHWM, which 5 in clear_refs resets).
			timeOpen := func(drop bool) (time.Duration, int) {
				if drop {
					db, err := bolt.Open(path, 0o600, nil)
					if err != nil {
						b.Fatal(err)
					}
					err = db.Update(func(tx *bolt.Tx) error {
						if err := tx.DeleteBucket(bucketLeads); err != nil {
							return err
						}
						return tx.Bucket(bucketMeta).Delete(metaLeadsSeq)
					})
					if err := errors.Join(err, db.Close()); err != nil {
						b.Fatal(err)
					}
				}
				runtime.GC()
				debug.FreeOSMemory()
				_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
				start := time.Now()
				s, err := Open(path, Options{})
				if err != nil {
					b.Fatal(err)
				}
				took := time.Since(start)
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
				return took, peakRSS()
			}
			var build, plain time.Duration
			var buildRSS, plainRSS int
			b.ResetTimer()
			for range b.N {
				took, rss := timeOpen(true)
				build, buildRSS = build+took, max(buildRSS, rss)
				took, rss = timeOpen(false)
				plain, plainRSS = plain+took, max(plainRSS, rss)
			}
			b.ReportMetric(float64(build.Microseconds())/1000/float64(b.N), "ms/open-building")
			b.ReportMetric(float64(plain.Microseconds())/1000/float64(b.N), "ms/open-built")
			b.ReportMetric(float64(buildRSS)/1000, "MB-peak/open-building")
			b.ReportMetric(float64(plainRSS)/1000, "MB-peak/open-built")
		})
	}
}
