package notify

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/event"
)

// advance lets d pass on the bubble's clock, then waits until whatever fell
// due meanwhile (a flush and its sends) has finished. Timers due at the very
// end of d have fired too, so an event handled next never overtakes them.
func advance(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

// recorder is a Sender that keeps what it was asked to show, and when.
type recorder struct {
	mu  sync.Mutex
	got []Notification
	at  []time.Time
}

func (r *recorder) Send(_ context.Context, n Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, n)
	r.at = append(r.at, time.Now())
	return nil
}

// times returns when each notification was sent.
func (r *recorder) times() []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.at...)
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

// localTime is hh:mm:ss in testZone on 2 January 2000, the first whole day
// there after a bubble's clock starts (2000-01-01 00:00 UTC, which is 05:00
// in testZone), so that newHarness can sleep forward to any time of it.
func localTime(h, m, s int) time.Time {
	return time.Date(2000, 1, 2, h, m, s, 0, testZone).UTC()
}

// harness is a Notifier with a recording sender and settings a test may
// change while it runs. It lives in a synctest bubble, whose clock is the
// notifier's.
type harness struct {
	n   *Notifier
	rec *recorder

	mu  sync.Mutex
	cfg settings.Notifications
}

// newHarness sleeps the bubble's clock forward to start and returns a
// harness whose notifier reads quiet hours in testZone. It must be called
// inside synctest.Test, before anything else sleeps.
func newHarness(t *testing.T, start time.Time) *harness {
	t.Helper()
	d := start.Sub(time.Now())
	if d < 0 {
		t.Fatalf("harness starts at %v, before the clock's %v", start, time.Now())
	}
	time.Sleep(d)
	h := &harness{rec: &recorder{}, cfg: settings.Default().Notifications}
	// Every reply pops up alike unless a test asks otherwise: the grouping
	// tests are about timing, not about what replies say (triage_test.go).
	h.cfg.Triage = map[string]string{}
	for _, c := range event.TriageClasses {
		h.cfg.Triage[c] = settings.PopNormal
	}
	h.n = New(Options{
		Sender:   h.rec,
		Settings: h.settings,
		Location: testZone,
	})
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

// settled checks that nothing is left to go out: no event is held, and
// however long the clock runs on, no timer the notifier set sends anything
// more. A day is far past any due time (at most Window after an event).
func (h *harness) settled(t *testing.T) {
	t.Helper()
	if n := h.n.held(); n != 0 {
		t.Errorf("%d events still held after everything went out", n)
	}
	before := len(h.rec.all())
	advance(24 * time.Hour)
	if after := h.rec.all(); len(after) != before {
		t.Errorf("%d more notifications a day later: %+v", len(after)-before, after[before:])
	}
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
