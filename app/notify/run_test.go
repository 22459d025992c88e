package notify

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/leadbell/leadbell/app/broker"
	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/event"
)

// runOn starts h.n.Run on a subscription to b, waits until it reads it, and
// ends it when the test ends (even after a t.Fatal, so that no goroutine is
// left blocked in the bubble). It returns the cancel and what Run returned.
func runOn(t *testing.T, h *harness, b *broker.Broker) (context.CancelFunc, <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan error, 1)
	go func() { done <- h.n.Run(ctx, b.Subscribe(0)) }()
	synctest.Wait() // Run subscribed and waits for an event
	if b.Len() != 1 {
		t.Fatalf("broker has %d subscribers once Run started, want 1", b.Len())
	}
	return cancel, done
}

func TestRunFromBroker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, localTime(12, 0, 0))
		b := broker.New()
		cancel, done := runOn(t, h, b)

		b.Publish(reply("1", "Jane Doe", "Acme Corp", "Yes, Thursday works."))
		b.Publish(reply("1", "Jane Doe", "Acme Corp", "Yes, Thursday works.")) // redelivered
		synctest.Wait()
		if n := h.n.held(); n != 1 {
			t.Fatalf("%d events held, want the reply once", n)
		}
		advance(DefaultHold)
		got := h.rec.all()
		if len(got) != 1 || got[0].Summary != janeReplied || got[0].Body != "Yes, Thursday works." || got[0].EventID != "1" {
			t.Fatalf("notifications = %+v, want one for Jane's reply", got)
		}

		// Events held when the context ends are dropped, and the
		// subscription is given back.
		b.Publish(reply("2", "Bob", "", "Later"))
		synctest.Wait()
		if n := h.n.held(); n != 1 {
			t.Fatalf("%d events held, want the second reply", n)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run = %v after cancel, want nil", err)
		}
		advance(time.Minute)
		if n := len(h.rec.all()); n != 1 {
			t.Errorf("%d notifications after Run ended, want still 1", n)
		}
		if b.Len() != 0 {
			t.Errorf("broker has %d subscribers after Run ended, want 0", b.Len())
		}
	})
}

func TestRunReportsADroppedSubscription(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, localTime(12, 0, 0))
		b := broker.New()
		sub := b.Subscribe(1)
		done := make(chan error, 1)
		go func() { done <- h.n.Run(context.Background(), sub) }()
		sub.Cancel() // what the broker does to a subscriber that lags
		if err := <-done; !errors.Is(err, ErrDropped) {
			t.Fatalf("Run = %v, want ErrDropped", err)
		}
	})
}

func TestSettingsApplyAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, localTime(12, 0, 0))

		h.n.Handle(reply("1", "Jane Doe", "Acme Corp", "Hi"))
		h.set(func(c *settings.Notifications) { c.Types[event.Replied] = false })
		advance(time.Minute)
		if got := h.rec.summaries(); len(got) != 0 {
			t.Fatalf("replies switched off during the hold still showed %q", got)
		}

		h.set(func(c *settings.Notifications) { c.Types[event.Opened] = true; c.Sound = false })
		h.n.Handle(eventOf("2", event.Opened))
		advance(time.Minute)
		got := h.rec.all()
		if len(got) != 1 || got[0].Type != event.Opened || got[0].Sound {
			t.Fatalf("notifications = %+v, want one silent open", got)
		}
	})
}

func TestPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
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
		advance(time.Minute)
		if got := h.rec.summaries(); len(got) != 0 {
			t.Fatalf("paused during the hold, yet showed %q", got)
		}

		h.n.PauseUntil(time.Time{}) // resume
		if p := h.n.PausedUntil(); !p.IsZero() {
			t.Fatalf("PausedUntil = %v after resuming, want zero", p)
		}
		h.n.Handle(reply("2", "Jane Doe", "Acme Corp", "Hi"))
		advance(time.Minute)
		if got := h.rec.summaries(); len(got) != 1 {
			t.Fatalf("after resuming: %q, want one notification", got)
		}

		h.n.PauseUntil(time.Now().Add(time.Hour))
		advance(time.Hour)
		if p := h.n.PausedUntil(); !p.IsZero() {
			t.Fatalf("PausedUntil = %v once the hour passed, want zero", p)
		}
	})
}

func TestStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, localTime(12, 0, 0))
		h.n.Handle(reply("1", "Jane Doe", "Acme Corp", "Hi"))
		h.n.Stop()
		h.n.Handle(reply("2", "Jane Doe", "Acme Corp", "Hi"))
		advance(time.Minute)
		if got := h.rec.summaries(); len(got) != 0 {
			t.Fatalf("after Stop: %q, want nothing", got)
		}
	})
}

func TestSendFailureIsLoggedNotFatal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, localTime(12, 0, 0))
		calls := 0 // only sends touch it, and they take turns (sendMu)
		h.n.opts.Sender = SenderFunc(func(ctx context.Context, n Notification) error {
			calls++
			if calls == 1 {
				return errors.New("no notification server")
			}
			return h.rec.Send(ctx, n)
		})
		h.n.Handle(reply("1", "Jane Doe", "Acme Corp", "Hi"))
		advance(time.Minute)
		h.n.Handle(reply("2", "Bob", "", "Hi"))
		advance(time.Minute)
		if got := h.rec.summaries(); len(got) != 1 || got[0] != "Bob replied" {
			t.Fatalf("after a failed send: %q, want Bob's reply", got)
		}
	})
}

// TestNewDefaults checks a Notifier built by New alone, with no harness:
// a lone event waits exactly the Hold it was given, and the settings,
// location and logger it was not given default to something that works.
func TestNewDefaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const hold = 10 * time.Millisecond
		rec := &recorder{}
		n := New(Options{Sender: rec, Hold: hold})
		defer n.Stop()
		n.Handle(reply("1", "Jane Doe", "Acme Corp", "Hi"))
		advance(hold - time.Nanosecond)
		if got := rec.summaries(); len(got) != 0 {
			t.Fatalf("%q sent before the Hold of %v passed", got, hold)
		}
		advance(time.Nanosecond)
		if got := rec.summaries(); len(got) != 1 || got[0] != janeReplied {
			t.Fatalf("notifications = %q once the Hold passed, want [%q]", got, janeReplied)
		}
	})
}

// A reply back from a snooze pops up at once, saying so, unless the user
// paused notifications.
func TestBackFromSnooze(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, localTime(12, 0, 0))
		ev := event.Event{ID: "41", Type: event.Replied, LeadName: "Jane Doe", Body: "Back to this: can we talk Tuesday?"}
		h.n.Back(ev)
		got := h.rec.all()
		if len(got) != 1 || got[0].Summary != "Back from snooze: Jane Doe replied" || got[0].EventID != "41" {
			t.Fatalf("notifications %+v, want one saying Jane's reply is back", got)
		}
		h.n.PauseUntil(time.Now().Add(time.Hour))
		h.n.Back(ev)
		if n := len(h.rec.all()); n != 1 {
			t.Errorf("%d notifications while paused, want none more", n-1)
		}
	})
}
