package simulator_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

func TestRunStreamsEvents(t *testing.T) {
	s := newFake(t, simulator.Options{Family: simulator.FamilyBoth, Secret: "k", Seed: 5, OutOfOrderRate: 0.3, DuplicateRate: 0.2, NoTestEvents: true})
	rcv := newReceiver(t, always(http.StatusOK))
	createGlobalHook(t, s, "user", rcv.URL, nil)
	const n = 60
	if err := s.Run(context.Background(), simulator.StreamOptions{Interval: time.Millisecond, ReplyEvery: 5 * time.Millisecond, Max: n}); err != nil {
		t.Fatal(err)
	}
	seen := map[event.Type]int{}
	dups := 0
	for _, d := range s.Deliveries() {
		if !d.OK() {
			t.Fatalf("delivery failed: %+v", d)
		}
		if d.Duplicate {
			dups++
			continue
		}
		ev, err := smartlead.Parse(d.Body)
		if err != nil {
			t.Fatalf("stream payload does not parse: %v", err)
		}
		seen[ev.Type]++
	}
	total := 0
	for _, k := range seen {
		total += k
	}
	if total != n || seen[event.Replied] == 0 || seen[event.Sent] == 0 || seen[event.Opened] == 0 {
		t.Errorf("stream of %d events gave %v", n, seen)
	}
	if rcv.count() != n+dups {
		t.Errorf("receiver got %d deliveries, want %d", rcv.count(), n+dups)
	}
}

func TestRunStopsWithContext(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true})
	rcv := newReceiver(t, always(http.StatusOK))
	for _, c := range s.Campaigns() {
		saveCampaignHook(t, s, c.ID, "", rcv.URL, nil)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx, simulator.StreamOptions{Interval: time.Millisecond}) }()
	for range 3 {
		rcv.next(t)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil after ctx ends", err)
	}
	// Nothing is sent once Run has returned. (Count the fake's own record
	// of attempts: the receiver may still be reading a body that left
	// before the cancel.) Close waits for anything still in the background.
	after := len(s.Deliveries())
	s.Close()
	if n := len(s.Deliveries()); n != after {
		t.Errorf("%d deliveries after Run returned", n-after)
	}
}
