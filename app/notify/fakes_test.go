package notify

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/event"
)

// fakeClock is a clock that moves only when a test advances it. Timers due
// within an Advance run in time order on the caller's goroutine, so when
// Advance returns every send they caused has completed.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c    *fakeClock
	at   time.Time
	f    func()
	done bool
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{now: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) stopper {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

// Advance moves the clock d forward, running the timers that fall due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *fakeTimer
		for _, t := range c.timers {
			if !t.done && !t.at.After(end) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		if next.at.After(c.now) {
			c.now = next.at
		}
		next.done = true
		c.mu.Unlock()
		next.f()
	}
}

// pending counts timers not yet fired or stopped.
func (c *fakeClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.done {
			n++
		}
	}
	return n
}

// recorder is a Sender that keeps what it was asked to show.
type recorder struct {
	mu  sync.Mutex
	got []Notification
}

func (r *recorder) Send(_ context.Context, n Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, n)
	return nil
}

func (r *recorder) all() []Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Notification(nil), r.got...)
}

func (r *recorder) summaries() []string {
	var s []string
	for _, n := range r.all() {
		s = append(s, n.Summary)
	}
	return s
}

// testZone is where quiet hours are read in tests: not UTC and not the
// machine's zone, so a rule that used either would fail.
var testZone = time.FixedZone("UTC+5", 5*3600)

// localTime is hh:mm:ss on a fixed day in testZone, as the UTC instant a
// real clock would return.
func localTime(h, m, s int) time.Time {
	return time.Date(2024, 3, 5, h, m, s, 0, testZone).UTC()
}

// harness is a Notifier on a fake clock with a recording sender and
// settings a test may change while it runs.
type harness struct {
	n     *Notifier
	clock *fakeClock
	rec   *recorder

	mu  sync.Mutex
	cfg settings.Notifications
}

func newHarness(t *testing.T, start time.Time) *harness {
	t.Helper()
	h := &harness{clock: newFakeClock(start), rec: &recorder{}, cfg: settings.Default().Notifications}
	h.n = newNotifier(Options{
		Sender:   h.rec,
		Settings: h.settings,
		Location: testZone,
	}, h.clock)
	return h
}

func (h *harness) settings() settings.Notifications {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cfg
}

// set changes the settings the notifier reads next.
func (h *harness) set(f func(*settings.Notifications)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	types := make(map[event.Type]bool, len(h.cfg.Types))
	for k, v := range h.cfg.Types {
		types[k] = v
	}
	h.cfg.Types = types
	f(&h.cfg)
}

// held counts the events waiting in the batch.
func (n *Notifier) held() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.batch.count
}

// reply is a reply event as the store hands it to the broker.
func reply(id, name, company, body string) event.Event {
	return event.Event{
		ID: id, Type: event.Replied, SourceType: "EMAIL_REPLY",
		LeadName: name, LeadEmail: "lead" + id + "@example.com", Company: company,
		Subject: "Re: Quick question", Body: body, CampaignName: "SaaS founders - March",
	}
}

// eventOf is an event of type t about Jane Doe.
func eventOf(id string, t event.Type) event.Event {
	ev := reply(id, "Jane Doe", "Acme Corp", "Sounds good")
	ev.Type = t
	return ev
}
