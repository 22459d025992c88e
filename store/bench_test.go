package store

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// benchEvents is how many events the seeded benchmarks store first:
// STORE_BENCH_EVENTS, or a small default so -benchtime 1x stays quick.
func benchEvents(b *testing.B) int {
	if v := os.Getenv("STORE_BENCH_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("STORE_BENCH_EVENTS=%q: want a positive number", v)
		}
		return n
	}
	return 5000
}

// benchAppend appends b.N new events to s from par goroutines. The events
// are copies of a small generated set under fresh keys, so that the
// benchmark's own memory stays small and peak RSS reflects the store.
func benchAppend(b *testing.B, s *Store, par int, prefix string) {
	benchAppendLeads(b, s, par, prefix, false)
}

// benchAppendLeads is benchAppend, with a new lead for every event when
// newLeads is set.
func benchAppendLeads(b *testing.B, s *Store, par int, prefix string, newLeads bool) {
	st, err := s.Stats()
	if err != nil {
		b.Fatal(err)
	}
	pool := genEvents(1024, uint64(st.Total+1), prefix)
	var next atomic.Int64
	b.SetParallelism(par)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			ev := pool[i%int64(len(pool))]
			ev.Key = prefix + strconv.FormatInt(i, 10)
			if newLeads {
				ev.LeadID = ev.Key
			}
			if _, _, err := s.Append(context.Background(), ev); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAppend measures durable appends of distinct events from 1 and
// from 32 concurrent goroutines; events/s is the figure to compare.
// NewLeads gives every event a lead of its own, the lead directory's worst
// case (a record written per event), as the ingest bench does.
func BenchmarkAppend(b *testing.B) {
	for _, par := range []int{1, 32} {
		b.Run("goroutines="+strconv.Itoa(par), func(b *testing.B) {
			benchAppend(b, openTest(b), par, "a")
		})
	}
	b.Run("NewLeads", func(b *testing.B) {
		benchAppendLeads(b, openTest(b), 32, "n", true)
	})
}

// seededStore opens the store the seeded benchmarks read: the file named by
// STORE_BENCH_DB (kept, so that a second run measures a fresh process
// against a large store) or a temporary one, topped up to benchEvents
// events.
func seededStore(b *testing.B) *Store {
	path := os.Getenv("STORE_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "leadbell.db")
	}
	s, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	st, err := s.Stats()
	if err != nil {
		b.Fatal(err)
	}
	if st.Total == 0 {
		// The oldest event is the only one mentioning "zzyzx": searching
		// for it scans everything and finds one.
		oldest := genEvents(1, 99, "oldest")[0]
		oldest.Timestamp, oldest.ReceivedAt = oldest.Timestamp.AddDate(-1, 0, 0), oldest.ReceivedAt.AddDate(-1, 0, 0)
		oldest.Body = "Zzyzx Road is a real place"
		if _, _, err := s.Append(context.Background(), oldest); err != nil {
			b.Fatal(err)
		}
		st.Total = 1
	}
	const chunk = 50_000
	for have, n := st.Total, benchEvents(b); have < n; have += chunk {
		evs := genEvents(min(chunk, n-have), uint64(have), "s"+strconv.Itoa(have)+"-")
		if _, err := s.AppendMany(context.Background(), evs); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// memory reports the process's peak resident set (VmHWM) and what is
// resident now, anonymous (heap) and file-backed (the database's pages),
// where /proc has them.
func memory() string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	var out []string
	for line := range strings.Lines(string(data)) {
		for _, field := range []string{"VmHWM:", "RssAnon:", "RssFile:"} {
			if v, ok := strings.CutPrefix(line, field); ok {
				out = append(out, field+" "+strings.TrimSpace(v))
			}
		}
	}
	return strings.Join(out, ", ")
}

// BenchmarkSeeded measures reads, and appends from 32 goroutines, on a
// store seeded with benchEvents events.
func BenchmarkSeeded(b *testing.B) {
	s := seededStore(b)
	b.Logf("memory after open and seeding: %s", memory())
	defer func() { b.Logf("memory at the end: %s", memory()) }()
	b.Run("ListFirstPage", func(b *testing.B) {
		for b.Loop() {
			if p, err := s.List(Query{}); err != nil || len(p.Events) != DefaultLimit {
				b.Fatalf("List: %d events, %v", len(p.Events), err)
			}
		}
	})
	b.Run("ListReplied", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.List(Query{Type: "EMAIL_REPLIED", Unread: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListCampaign", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.List(Query{Campaign: "1400137"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("LeadEvents", func(b *testing.B) {
		for b.Loop() {
			if evs, err := s.LeadEvents("1480031", 0); err != nil || len(evs) == 0 {
				b.Fatalf("LeadEvents: %d events, %v", len(evs), err)
			}
		}
	})
	b.Run("SearchRare", func(b *testing.B) {
		for b.Loop() {
			if p, err := s.List(Query{Text: "zzyzx"}); err != nil || len(p.Events) != 1 {
				b.Fatalf("List: %d events, %v", len(p.Events), err)
			}
		}
	})
	b.Run("SearchCommonTwoWords", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.List(Query{Text: "Pricing hubspot"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SearchCommonAndRare", func(b *testing.B) {
		// every event's lead email has "example": a full scan in which
		// the first word matches everything and the second only the oldest
		for b.Loop() {
			if p, err := s.List(Query{Text: "example ZZYZX"}); err != nil || len(p.Events) != 1 {
				b.Fatalf("List: %d events, %v", len(p.Events), err)
			}
		}
	})
	b.Run("Append32", func(b *testing.B) {
		st, _ := s.Stats()
		benchAppend(b, s, 32, "more"+strconv.Itoa(st.Total)+"-")
	})
}

// BenchmarkApply measures the writer alone: applying logged events to
// bbolt, applyBatch of them to a commit, as under load, without the
// commits' syncs; ns/op is its CPU per event. NewLeads gives every event a lead of its own, the lead
// directory's worst case.
func BenchmarkApply(b *testing.B) {
	for _, newLeads := range []bool{false, true} {
		b.Run("NewLeads="+strconv.FormatBool(newLeads), func(b *testing.B) {
			s := openTest(b)
			// The writer's CPU, not the disk's syncs.
			s.db.NoSync = true
			pool := genEvents(1024, 1, "p")
			var seq uint64
			b.ResetTimer()
			for done := 0; done < b.N; {
				b.StopTimer()
				items := make([]*pending, min(applyBatch, b.N-done))
				for i := range items {
					ev := pool[(done+i)%len(pool)]
					ev.Key = "k" + strconv.Itoa(done+i)
					if newLeads {
						ev.LeadID = ev.Key
					}
					p := prepare(ev)
					seq++
					p.seq = seq
					items[i] = &p
				}
				b.StartTimer()
				tx := s.beginBatch()
				tx.add(&applyOp{s: s, items: items})
				if err := tx.commit(); err != nil {
					b.Fatal(err)
				}
				done += len(items)
			}
		})
	}
}
