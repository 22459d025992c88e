package main

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/leadbell/leadbell/event"
)

// verdict is what the final checks found.
type verdict struct {
	events, ackedDuring, redelivered, newAtEnd, listed int
	byURLToken                                         int // events stored as verified by their path token alone
	failures                                           []string
}

func (v *verdict) fail(format string, args ...any) {
	if len(v.failures) < 20 {
		v.failures = append(v.failures, fmt.Sprintf(format, args...))
	} else if len(v.failures) == 20 {
		v.failures = append(v.failures, "(more failures left out)")
	}
}

// checkStoredOnce proves that every event is stored exactly once. Every
// event made is delivered one last time, as SmartLead's retry would: one
// acknowledged during the run must be answered as a duplicate with the id
// it had (across the kill -9 too); one never acknowledged (in flight at the
// kill, or at the end) is acknowledged now. Then the ids must be distinct,
// and the API must list exactly them, each once, each verified as it was
// sent: by its signature or secret_key, or, sent with another secret or
// none, by its path token.
func checkStoredOnce(ctx context.Context, p *leadbell, g *genuine) verdict {
	events := g.all()
	v := verdict{events: len(events)}
	final := make([]string, len(events))
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range next {
				e := events[i]
				acked := e.acked()
				if len(acked) > 1 {
					mu.Lock()
					v.fail("event %d was acknowledged with %d different ids: %v", i, len(acked), acked)
					mu.Unlock()
				}
				id, dup, err := redeliver(ctx, g, e)
				mu.Lock()
				switch {
				case err != nil:
					v.fail("event %d: final delivery failed: %v", i, err)
				case len(acked) > 0:
					v.ackedDuring++
					if acked[id] == 0 || !dup {
						v.fail("event %d: final delivery answered id %s (duplicate %v), want the id it had, %v, as a duplicate", i, id, dup, acked)
					}
				case !dup:
					v.newAtEnd++
				}
				final[i] = id
				mu.Unlock()
			}
		})
	}
	for i := range events {
		next <- i
	}
	close(next)
	wg.Wait()
	v.redelivered = len(events)

	owner := map[string]int{}
	for i, id := range final {
		if id == "" {
			continue
		}
		if j, ok := owner[id]; ok {
			v.fail("events %d and %d were stored as one (id %s)", j, i, id)
		}
		owner[id] = i
	}
	listed, err := listAll(ctx, p)
	if err != nil {
		v.fail("listing the stored events: %v", err)
		return v
	}
	v.listed = len(listed)
	for id, l := range listed {
		if l.n != 1 {
			v.fail("event %s is listed %d times", id, l.n)
		}
		if _, ok := owner[id]; !ok {
			v.fail("event %s is stored but no genuine delivery made it", id)
		}
		if l.verifiedBy == event.VerifiedByURLToken {
			v.byURLToken++
		}
	}
	for id, i := range owner {
		l := listed[id]
		if l.n == 0 {
			v.fail("event %d (id %s) was acknowledged but is not stored", i, id)
			continue
		}
		if want := events[i].auth.verifiedBy(events[i].shape); l.verifiedBy != want {
			v.fail("event %d (id %s) is stored as verified by %q, want %q", i, id, l.verifiedBy, want)
		}
	}
	if len(listed) != len(events) {
		v.fail("%d events stored, want the %d made", len(listed), len(events))
	}
	return v
}

// redeliver delivers e until it is acknowledged (a few tries).
func redeliver(ctx context.Context, g *genuine, e *logical) (string, bool, error) {
	var err error
	for try := range 5 {
		var id string
		var dup bool
		if id, dup, _, err = g.post(ctx, e); err == nil {
			return id, dup, nil
		}
		time.Sleep(time.Duration(try+1) * 200 * time.Millisecond)
	}
	return "", false, err
}

// listed is how often GET /api/events lists an id, and how it says the
// event was verified.
type listed struct {
	n          int
	verifiedBy string
}

// listAll pages through GET /api/events and counts each id.
func listAll(ctx context.Context, p *leadbell) (map[string]listed, error) {
	seen := map[string]listed{}
	before := ""
	for {
		var page struct {
			Events []struct {
				ID         string `json:"id"`
				VerifiedBy string `json:"verified_by"`
			} `json:"events"`
			Next string `json:"next"`
		}
		if err := p.getJSON(ctx, "/api/events?limit=500&before="+url.QueryEscape(before), &page); err != nil {
			return nil, err
		}
		for _, ev := range page.Events {
			seen[ev.ID] = listed{n: seen[ev.ID].n + 1, verifiedBy: ev.VerifiedBy}
		}
		if page.Next == "" || len(page.Events) == 0 {
			return seen, nil
		}
		before = page.Next
	}
}

// growth compares the mean resident memory of the first and last thirds of
// samples (KiB).
type growth struct {
	samples             int
	firstRSS, lastRSS   int
	firstAnon, lastAnon int
	firstFile, lastFile int
}

func memoryGrowth(samples []memory) growth {
	n := len(samples) / 3
	g := growth{samples: len(samples)}
	if n == 0 {
		return g
	}
	mean := func(ms []memory, f func(memory) int) int {
		sum := 0
		for _, m := range ms {
			sum += f(m)
		}
		return sum / len(ms)
	}
	head, tail := samples[:n], samples[len(samples)-n:]
	g.firstRSS, g.lastRSS = mean(head, func(m memory) int { return m.rss }), mean(tail, func(m memory) int { return m.rss })
	g.firstAnon, g.lastAnon = mean(head, func(m memory) int { return m.anon }), mean(tail, func(m memory) int { return m.anon })
	g.firstFile, g.lastFile = mean(head, func(m memory) int { return m.file }), mean(tail, func(m memory) int { return m.file })
	return g
}

// grew reports anonymous memory (heap, stacks: what a leak fills) growing
// by more than 20% and 10 MiB. File-backed pages are left out: they are the
// bbolt file's map, which grows with the data by design.
func (g growth) grew() bool {
	d := g.lastAnon - g.firstAnon
	return d > 10<<10 && d*5 > g.firstAnon
}
