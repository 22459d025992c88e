package notify

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/broker"
	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/event"
)

// waitFor polls cond until it holds; the deadline only bounds a failing
// test, nothing is asserted about how long it took.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRunFromBroker(t *testing.T) {
	h := newHarness(t, localTime(12, 0, 0))
	b := broker.New()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.n.Run(ctx, b.Subscribe(0)) }()
	waitFor(t, "the subscription", func() bool { return b.Len() == 1 })

	b.Publish(reply("1", "Jane Doe", "Acme Corp", "Yes, Thursday works."))
	b.Publish(reply("1", "Jane Doe", "Acme Corp", "Yes, Thursday works.")) // redelivered
	waitFor(t, "the reply to be held", func() bool { return h.n.held() == 1 })
	h.clock.Advance(DefaultHold)
	got := h.rec.all()
	if len(got) != 1 || got[0].Summary != janeReplied || got[0].Body != "Yes, Thursday works." || got[0].EventID != "1" {
		t.Fatalf("notifications = %+v, want one for Jane's reply", got)
	}

	// Events held when the context ends are dropped, and the
	// subscription is given back.
	b.Publish(reply("2", "Bob", "", "Later"))
	waitFor(t, "the second reply to be held", func() bool { return h.n.held() == 1 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v after cancel, want nil", err)
	}
	h.clock.Advance(time.Minute)
	if n := len(h.rec.all()); n != 1 {
		t.Errorf("%d notifications after Run ended, want still 1", n)
	}
	if b.Len() != 0 {
		t.Errorf("broker has %d subscribers after Run ended, want 0", b.Len())
	}
}

func TestRunReportsADroppedSubscription(t *testing.T) {
	h := newHarness(t, localTime(12, 0, 0))
	b := broker.New()
	sub := b.Subscribe(1)
	done := make(chan error, 1)
	go func() { done <- h.n.Run(context.Background(), sub) }()
	sub.Cancel() // what the broker does to a subscriber that lags
	if err := <-done; !errors.Is(err, ErrDropped) {
		t.Fatalf("Run = %v, want ErrDropped", err)
	}
}

func TestSettingsApplyAtOnce(t *testing.T) {
	h := newHarness(t, localTime(12, 0, 0))

	h.n.Handle(reply("1", "Jane Doe", "Acme Corp", "Hi"))
	h.set(func(c *settings.Notifications) { c.Types[event.Replied] = false })
	h.clock.Advance(time.Minute)
	if got := h.rec.summaries(); len(got) != 0 {
		t.Fatalf("replies switched off during the hold still showed %q", got)
	}

	h.set(func(c *settings.Notifications) { c.Types[event.Opened] = true; c.Sound = false })
	h.n.Handle(eventOf("2", event.Opened))
	h.clock.Advance(time.Minute)
	got := h.rec.all()
	if len(got) != 1 || got[0].Type != event.Opened || got[0].Sound {
		t.Fatalf("notifications = %+v, want one silent open", got)
	}
}

func TestPause(t *testing.T) {
	start := localTime(12, 0, 0)
	h := newHarness(t, start)
	if p := h.n.PausedUntil(); !p.IsZero() {
		t.Fatalf("PausedUntil = %v before any pause, want zero", p)
	}
	h.n.Handle(reply("1", "Jane Doe", "Acme Corp", "Hi"))
	h.n.PauseUntil(start.Add(time.Hour)) // clicked during the hold
	if p := h.n.PausedUntil(); !p.Equal(start.Add(time.Hour)) {
		t.Fatalf("PausedUntil = %v, want %v", p, start.Add(time.Hour))
	}
	h.clock.Advance(time.Minute)
	if got := h.rec.summaries(); len(got) != 0 {
		t.Fatalf("paused during the hold, yet showed %q", got)
	}

	h.n.PauseUntil(time.Time{}) // resume
	if p := h.n.PausedUntil(); !p.IsZero() {
		t.Fatalf("PausedUntil = %v after resuming, want zero", p)
	}
	h.n.Handle(reply("2", "Jane Doe", "Acme Corp", "Hi"))
	h.clock.Advance(time.Minute)
	if got := h.rec.summaries(); len(got) != 1 {
		t.Fatalf("after resuming: %q, want one notification", got)
	}

	h.n.PauseUntil(h.clock.Now().Add(time.Hour))
	h.clock.Advance(time.Hour)
	if p := h.n.PausedUntil(); !p.IsZero() {
		t.Fatalf("PausedUntil = %v once the hour passed, want zero", p)
	}
}

func TestStop(t *testing.T) {
	h := newHarness(t, localTime(12, 0, 0))
	h.n.Handle(reply("1", "Jane Doe", "Acme Corp", "Hi"))
	h.n.Stop()
	h.n.Handle(reply("2", "Jane Doe", "Acme Corp", "Hi"))
	h.clock.Advance(time.Minute)
	if got := h.rec.summaries(); len(got) != 0 {
		t.Fatalf("after Stop: %q, want nothing", got)
	}
}

func TestSendFailureIsLoggedNotFatal(t *testing.T) {
	h := newHarness(t, localTime(12, 0, 0))
	calls := 0
	h.n.opts.Sender = SenderFunc(func(ctx context.Context, n Notification) error {
		calls++
		if calls == 1 {
			return errors.New("no notification server")
		}
		return h.rec.Send(ctx, n)
	})
	h.n.Handle(reply("1", "Jane Doe", "Acme Corp", "Hi"))
	h.clock.Advance(time.Minute)
	h.n.Handle(reply("2", "Bob", "", "Hi"))
	h.clock.Advance(time.Minute)
	if got := h.rec.summaries(); len(got) != 1 || got[0] != "Bob replied" {
		t.Fatalf("after a failed send: %q, want Bob's reply", got)
	}
}

func TestNewRunsOnTheRealClock(t *testing.T) {
	rec := &recorder{}
	n := New(Options{Sender: rec, Hold: 10 * time.Millisecond})
	defer n.Stop()
	n.Handle(reply("1", "Jane Doe", "Acme Corp", "Hi"))
	waitFor(t, "the notification", func() bool { return len(rec.all()) == 1 })
	if got := rec.summaries(); got[0] != janeReplied {
		t.Fatalf("notification = %q, want %q", got[0], janeReplied)
	}
}
