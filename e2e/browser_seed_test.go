package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// dbFile is the store's file name in a --data directory (app.DBFile).
const dbFile = "leadbell.db"

// seedMix is the share of each type in a seeded store, roughly what a
// running campaign produces.
var seedMix = []struct {
	typ    event.Type
	weight int
}{
	{event.Sent, 35}, {event.Opened, 30}, {event.Clicked, 10},
	{event.Replied, 10}, {event.Bounced, 5}, {event.Unsubscribed, 5}, {event.Other, 5},
}

// seedStore fills the store in dir with n events made from the simulator's
// payloads (parsed by smartlead.Parse), each with its own idempotency key,
// spread over the last span, busier in working hours. Events older than a
// day are read, as they would be in a store in use.
func seedStore(t *testing.T, dir string, n int, span time.Duration) {
	t.Helper()
	began := time.Now()
	evs := seedEvents(t, n, span)
	st, err := store.Open(filepath.Join(dir, dbFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.AppendMany(context.Background(), evs)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Dup {
			t.Fatalf("seeded event %d was taken for a duplicate", i)
		}
	}
	t.Logf("seeded %d events in %v", n, time.Since(began).Round(time.Millisecond))
}

// seedEvents makes the events of seedStore, oldest first. Parsing every
// event would dominate the seeding time, so a few thousand distinct
// payloads are parsed and reused with their own keys and times.
func seedEvents(t *testing.T, n int, span time.Duration) []event.Event {
	t.Helper()
	gen := simulator.NewGenerator(7) // newSim's seed: the same campaigns and leads as the simulator
	rng := rand.New(rand.NewPCG(11, 29))
	total := 0
	for _, m := range seedMix {
		total += m.weight
	}
	distinct := make([]event.Event, min(n, 3000))
	for i := range distinct {
		w := rng.IntN(total)
		typ := seedMix[0].typ
		for _, m := range seedMix {
			if w < m.weight {
				typ = m.typ
				break
			}
			w -= m.weight
		}
		ev, err := smartlead.Parse(gen.Event(typ).SpecJSON())
		if err != nil {
			t.Fatalf("parsing a generated %s: %v", typ, err)
		}
		ev.VerifiedBy = event.VerifiedBySignature
		distinct[i] = ev
	}

	now := time.Now().UTC()
	times := make([]time.Time, n)
	for i := range times {
		day := rng.IntN(int(span / (24 * time.Hour)))
		hour := 7 + rng.IntN(12) // most mail moves in working hours
		if rng.IntN(5) == 0 {
			hour = rng.IntN(24)
		}
		at := now.Truncate(24*time.Hour).AddDate(0, 0, -day).Add(time.Duration(hour)*time.Hour + time.Duration(rng.IntN(3600))*time.Second)
		if at.After(now) {
			at = now.Add(-time.Duration(rng.IntN(int(span/time.Second))) * time.Second)
		}
		times[i] = at
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })

	evs := make([]event.Event, n)
	for i := range evs {
		ev := distinct[i%len(distinct)]
		ev.Timestamp, ev.ReceivedAt = times[i], times[i]
		ev.Key = fmt.Sprintf("e2e-seed-%d", i)
		ev.Read = now.Sub(times[i]) > 24*time.Hour
		evs[i] = ev
	}
	return evs
}
