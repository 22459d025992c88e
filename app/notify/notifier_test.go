package notify

import (
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/event"
)

// arrival is an event that reaches the notifier after the clock moved on.
type arrival struct {
	after time.Duration
	ev    event.Event
}

func at(after time.Duration, ev event.Event) arrival { return arrival{after, ev} }

const (
	janeReplied = "Jane Doe (Acme Corp) replied"
	sec         = time.Second
)

// replies is n replies from different leads, each after gap.
func replies(n int, gap time.Duration) []arrival {
	var a []arrival
	for i := range n {
		a = append(a, at(gap, reply(fmt.Sprint("r", i), fmt.Sprint("Lead ", i), "", "Hello")))
	}
	a[0].after = 0
	return a
}

func backfilled(id string, age time.Duration, now time.Time) event.Event {
	ev := reply(id, "Jane Doe", "Acme Corp", "Hi")
	ev.Backfilled = true
	if age >= 0 {
		ev.Timestamp = now.Add(-age)
	}
	return ev
}

func TestRules(t *testing.T) {
	noon := localTime(12, 0, 0)
	quietOn := func(c *settings.Notifications) { c.QuietHours.Enabled = true }
	switchOn := func(types ...event.Type) func(*settings.Notifications) {
		return func(c *settings.Notifications) {
			for _, ty := range types {
				c.Types[ty] = true
			}
		}
	}
	tests := []struct {
		name     string
		start    time.Time
		settings func(*settings.Notifications)
		pause    time.Duration // PauseUntil(start+pause) before the first event
		events   []arrival
		want     []string
	}{
		// Per-type switches, from settings.Default: replies on, the rest off.
		{name: "reply is on by default", events: []arrival{at(0, eventOf("1", event.Replied))}, want: []string{janeReplied}},
		{name: "open is off by default", events: []arrival{at(0, eventOf("1", event.Opened))}},
		{name: "click is off by default", events: []arrival{at(0, eventOf("1", event.Clicked))}},
		{name: "bounce is off by default", events: []arrival{at(0, eventOf("1", event.Bounced))}},
		{name: "unsubscribe is off by default", events: []arrival{at(0, eventOf("1", event.Unsubscribed))}},
		{name: "sent is off by default", events: []arrival{at(0, eventOf("1", event.Sent))}},
		{name: "open switched on", settings: switchOn(event.Opened),
			events: []arrival{at(0, eventOf("1", event.Opened))}, want: []string{"Jane Doe opened “Re: Quick question”"}},
		{name: "bounce switched on", settings: switchOn(event.Bounced),
			events: []arrival{at(0, eventOf("1", event.Bounced))}, want: []string{"Jane Doe bounced"}},
		{name: "reply switched off", settings: func(c *settings.Notifications) { c.Types[event.Replied] = false },
			events: []arrival{at(0, eventOf("1", event.Replied))}},
		{name: "no types at all", settings: func(c *settings.Notifications) { c.Types = nil },
			events: []arrival{at(0, eventOf("1", event.Replied))}},

		// Duplicates.
		{name: "same id within the hold", events: []arrival{at(0, eventOf("1", event.Replied)), at(sec, eventOf("1", event.Replied))},
			want: []string{janeReplied}},
		{name: "same id redelivered a minute later", events: []arrival{at(0, eventOf("1", event.Replied)), at(time.Minute, eventOf("1", event.Replied))},
			want: []string{janeReplied}},
		{name: "different ids", events: []arrival{at(0, eventOf("1", event.Replied)), at(time.Minute, eventOf("2", event.Replied))},
			want: []string{janeReplied, janeReplied}},
		{name: "no id: the parser's key decides", events: []arrival{
			at(0, event.Event{Type: event.Replied, LeadName: "Bo", Key: "k1"}),
			at(time.Minute, event.Event{Type: event.Replied, LeadName: "Bo", Key: "k1"}),
			at(time.Minute, event.Event{Type: event.Replied, LeadName: "Bo", Key: "k2"}),
		}, want: []string{"Bo replied", "Bo replied"}},
		{name: "a duplicate suppressed in quiet hours stays suppressed after", start: localTime(6, 59, 0), settings: quietOn,
			events: []arrival{at(0, eventOf("1", event.Replied)), at(2*time.Minute, eventOf("1", event.Replied))}},

		// Quiet hours, 22:00 to 07:00 local time (settings.Default).
		{name: "quiet hours off by default at night", start: localTime(23, 30, 0), events: []arrival{at(0, eventOf("1", event.Replied))},
			want: []string{janeReplied}},
		{name: "quiet before midnight", start: localTime(23, 30, 0), settings: quietOn, events: []arrival{at(0, eventOf("1", event.Replied))}},
		{name: "quiet after midnight", start: localTime(3, 0, 0), settings: quietOn, events: []arrival{at(0, eventOf("1", event.Replied))}},
		{name: "quiet from the start minute", start: localTime(22, 0, 0), settings: quietOn, events: []arrival{at(0, eventOf("1", event.Replied))}},
		{name: "quiet until the end minute", start: localTime(6, 59, 59), settings: quietOn, events: []arrival{at(0, eventOf("1", event.Replied))}},
		{name: "not quiet at the end minute", start: localTime(7, 0, 0), settings: quietOn, events: []arrival{at(0, eventOf("1", event.Replied))},
			want: []string{janeReplied}},
		{name: "not quiet at noon", start: noon, settings: quietOn, events: []arrival{at(0, eventOf("1", event.Replied))},
			want: []string{janeReplied}},
		{name: "quiet hours begin during the hold", start: localTime(21, 59, 59), settings: quietOn,
			events: []arrival{at(0, eventOf("1", event.Replied))}},
		{name: "a window within one day", start: localTime(12, 30, 0), settings: func(c *settings.Notifications) {
			c.QuietHours = settings.QuietHours{Enabled: true, Start: "12:00", End: "13:00"}
		}, events: []arrival{at(0, eventOf("1", event.Replied)), at(time.Hour, eventOf("2", event.Replied))},
			want: []string{janeReplied}},
		{name: "equal start and end make no window", start: noon, settings: func(c *settings.Notifications) {
			c.QuietHours = settings.QuietHours{Enabled: true, Start: "12:00", End: "12:00"}
		}, events: []arrival{at(0, eventOf("1", event.Replied))}, want: []string{janeReplied}},

		// Pause.
		{name: "paused", pause: time.Hour, events: []arrival{at(0, eventOf("1", event.Replied))}},
		{name: "pause ends", pause: time.Hour, events: []arrival{at(0, eventOf("1", event.Replied)), at(time.Hour, eventOf("2", event.Replied))},
			want: []string{janeReplied}},
		{name: "pause in the past", pause: -time.Minute, events: []arrival{at(0, eventOf("1", event.Replied))}, want: []string{janeReplied}},

		// Backfilled events.
		{name: "backfilled and old", start: noon, events: []arrival{at(0, backfilled("1", 10*time.Minute, noon))}},
		{name: "backfilled and recent", start: noon, events: []arrival{at(0, backfilled("1", time.Minute, noon))}, want: []string{janeReplied}},
		{name: "backfilled without a time", start: noon, events: []arrival{at(0, backfilled("1", -1, noon))}},
		{name: "old but not backfilled", start: noon, events: []arrival{at(0, func() event.Event {
			ev := reply("1", "Jane Doe", "Acme Corp", "Hi")
			ev.Timestamp = noon.Add(-2 * time.Hour)
			return ev
		}())}, want: []string{janeReplied}},

		// Grouping.
		{name: "one reply, one notification", events: replies(1, 0), want: []string{"Lead 0 replied"}},
		{name: "two at once stay two", events: replies(2, 0), want: []string{"Lead 0 replied", "Lead 1 replied"}},
		{name: "three at once become one", events: replies(3, 0), want: []string{"3 new replies"}},
		{name: "a burst of ten is one", events: replies(10, 100*time.Millisecond), want: []string{"10 new replies"}},
		{name: "ten spread over five seconds are one", events: replies(10, 500*time.Millisecond), want: []string{"10 new replies"}},
		{name: "a mixed burst", settings: switchOn(event.Opened, event.Clicked), events: []arrival{
			at(0, eventOf("1", event.Replied)), at(0, eventOf("2", event.Opened)),
			at(0, eventOf("3", event.Clicked)), at(0, eventOf("4", event.Opened)),
		}, want: []string{"4 new events"}},
		{name: "a burst of opens", settings: switchOn(event.Opened), events: []arrival{
			at(0, eventOf("1", event.Opened)), at(0, eventOf("2", event.Opened)), at(0, eventOf("3", event.Opened)),
		}, want: []string{"3 new opens"}},
		{name: "far apart stay single", events: replies(4, 30*time.Second),
			want: []string{"Lead 0 replied", "Lead 1 replied", "Lead 2 replied", "Lead 3 replied"}},
		{name: "a third within ten seconds joins a group", events: replies(4, 3*time.Second),
			want: []string{"Lead 0 replied", "Lead 1 replied", "2 new replies"}},
		{name: "a steady stream is one group per window", events: replies(30, sec),
			want: []string{"10 new replies", "10 new replies", "10 new replies"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := tt.start
				if start.IsZero() {
					start = noon
				}
				h := newHarness(t, start)
				if tt.settings != nil {
					h.set(tt.settings)
				}
				if tt.pause != 0 {
					h.n.PauseUntil(start.Add(tt.pause))
				}
				for _, a := range tt.events {
					advance(a.after)
					h.n.Handle(a.ev)
				}
				advance(time.Minute)
				if got := h.rec.summaries(); !slices.Equal(got, tt.want) {
					t.Errorf("notifications = %q, want %q", got, tt.want)
				}
				h.settled(t)
			})
		})
	}
}

// TestWindowNeverHoldsThree checks the grouping promise on many shapes of
// arrivals: no three notifications within ten seconds, every event counted
// exactly once.
func TestWindowNeverHoldsThree(t *testing.T) {
	gaps := []time.Duration{0, 100 * time.Millisecond, 900 * time.Millisecond, 1500 * time.Millisecond,
		2 * sec, 2500 * time.Millisecond, 3 * sec, 4 * sec, 6 * sec, 9 * sec, 11 * sec}
	for _, gap := range gaps {
		for _, count := range []int{1, 2, 3, 5, 10, 25} {
			t.Run(fmt.Sprintf("%d every %v", count, gap), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					h := newHarness(t, localTime(12, 0, 0))
					for _, a := range replies(count, gap) {
						advance(a.after)
						h.n.Handle(a.ev)
					}
					advance(time.Minute)
					total := 0
					for _, n := range h.rec.all() {
						total += n.Events
					}
					if total != count {
						t.Errorf("notifications stand for %d events, want %d", total, count)
					}
					sentAt := h.rec.times()
					for i := 2; i < len(sentAt); i++ {
						if sentAt[i].Sub(sentAt[i-2]) < DefaultWindow {
							t.Errorf("three notifications within %v: at %v, %v, %v", DefaultWindow,
								sentAt[i-2].Sub(sentAt[0]), sentAt[i-1].Sub(sentAt[0]), sentAt[i].Sub(sentAt[0]))
						}
					}
				})
			})
		}
	}
}
