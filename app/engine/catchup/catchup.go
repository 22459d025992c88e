// Package catchup is Leadbell's catch-up after downtime. While Leadbell is
// deaf (closed, asleep, offline, its tunnel down) SmartLead's deliveries
// fail: it retries a few times, then gives up, and disables a webhook that
// keeps failing. So Leadbell remembers when it last knew deliveries were
// reaching it (the alive record: saved after every self-test that came
// back and on a clean shutdown), and once it is back (registered, and its
// self-test came back) it catches up on the gap from that time, less a
// margin, to now:
//
//  1. it asks SmartLead to re-deliver what failed, campaign by campaign
//     (retrigger-failed-events), and lets those deliveries land (run.go);
//  2. it reads the message history of the leads with activity in or shortly
//     before the gap and stores the replies no webhook brought (those sent
//     while the webhook was disabled, say), marked backfilled (history.go).
//
// Both steps are bounded (at most MaxCampaigns re-trigger calls and
// MaxHistory history calls), and the client paces every call to SmartLead's
// limit. A catch-up that fails (rate limited, offline) leaves its gap
// pending in the alive record: the next one starts from there.
//
// A reply can then reach Leadbell twice, by a delivery and from the
// history: the Guard (guard.go), which the receiver stores through, keeps
// it once.
package catchup

import (
	"cmp"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// Host is what a catch-up asks of the engine it works for.
type Host interface {
	// Client is the signed-in account's SmartLead client; nil when
	// signed out.
	Client() *smartlead.Client
	// RepairWebhooks saves every webhook again: SmartLead disables one
	// whose deliveries kept failing, and its per-campaign list does not
	// say so.
	RepairWebhooks(ctx context.Context) error
	// Scope lists the campaigns the webhooks cover; nil: every one.
	Scope() []string
	// Note sets what the status adds to "listening"; "" clears it.
	Note(note string)
	// LastSelfTest is when a self-test last came back (zero: never): the
	// last sign of life of a data folder from before the alive record.
	LastSelfTest() time.Time
}

// Options bound a catch-up; zero fields take the defaults.
type Options struct {
	Margin       time.Duration // the gap starts this long before the last sign of life (10 min)
	MaxGap       time.Duration // and never further back than this (7 days)
	Lookback     time.Duration // leads active this long before the gap get their history read (48 h)
	MaxCampaigns int           // retrigger-failed-events calls per catch-up (50)
	MaxHistory   int           // message-history calls per catch-up (30)
	MaxScan      int           // stored events read to find active leads (5,000)
	Quiet        time.Duration // re-deliveries have landed once nothing arrived for this long (2 s)
	SettleMax    time.Duration // but they are not waited for longer than this (20 s)
	Poll         time.Duration // how often the store is looked at meanwhile (200 ms)
	// MinInterval spaces catch-ups (2 min): a tunnel that flaps would
	// otherwise start one after each return, each up to
	// MaxCampaigns+MaxHistory calls against SmartLead's 60 a minute. A gap
	// that comes up sooner is kept and caught up by the first good check
	// after the interval.
	MinInterval time.Duration
}

func (o *Options) setDefaults() {
	o.Margin = cmp.Or(o.Margin, 10*time.Minute)
	o.MaxGap = cmp.Or(o.MaxGap, 7*24*time.Hour)
	o.Lookback = cmp.Or(o.Lookback, 48*time.Hour)
	o.MaxCampaigns = cmp.Or(o.MaxCampaigns, 50)
	o.MaxHistory = cmp.Or(o.MaxHistory, 30)
	o.MaxScan = cmp.Or(o.MaxScan, 5000)
	o.Quiet = cmp.Or(o.Quiet, 2*time.Second)
	o.SettleMax = cmp.Or(o.SettleMax, 20*time.Second)
	o.Poll = cmp.Or(o.Poll, 200*time.Millisecond)
	o.MinInterval = cmp.Or(o.MinInterval, 2*time.Minute)
}

// Catcher decides when to catch up, and does.
type Catcher struct {
	opts    Options
	st      *store.Store
	log     *slog.Logger
	host    Host
	publish func(event.Event) // tells the inbox of a reply from a history
	guard   *Guard

	mu      sync.Mutex // held across saves of alive, so they stay in order
	loaded  bool
	alive   aliveRecord
	missed  bool      // deliveries may have been missed since the last catch-up began
	running bool      // a catch-up is running
	again   time.Time // start of a gap that came up while one was running
	began   time.Time // when the last catch-up began
}

// New makes the catch-up of the engine host on st; publish is called with
// each reply stored from a history. It moves what an earlier Leadbell
// kept in the old form (saved.go).
func New(st *store.Store, host Host, publish func(event.Event), opts Options, log *slog.Logger) (*Catcher, error) {
	opts.setDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g, err := newGuard(st, log)
	if err != nil {
		return nil, err
	}
	return &Catcher{opts: opts, st: st, log: log, host: host, publish: publish, guard: g}, nil
}

// Guard is the store as the receiver must see it (see Guard).
func (c *Catcher) Guard() *Guard { return c.guard }

// WatchStarts is called as a watch begins, before its first check: the
// alive record is read (so a fallback to the last self-test is the one
// before this run), and since this run's receiver was not proven yet,
// deliveries may have been missed.
func (c *Catcher) WatchStarts() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loadAliveLocked()
	c.missed = true
}

// NoteMissed records that deliveries may have been missed: the next
// self-test that comes back starts a catch-up.
func (c *Catcher) NoteMissed() {
	c.mu.Lock()
	c.missed = true
	c.mu.Unlock()
}

// Idle reports whether no catch-up is running or pending.
func (c *Catcher) Idle() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.running && c.alive.Pending.IsZero()
}

// Checked is called after every watchdog check: a failed one means
// deliveries may be missed; one that came back is a sign of life, and the
// moment to catch up when something may have been missed since the last.
// A catch-up runs in bg.
func (c *Catcher) Checked(ctx context.Context, ok bool, bg *sync.WaitGroup) {
	if !ok || !c.st.Health().OK() { // a self-test comes back while the disk refuses events
		c.NoteMissed()
		return
	}
	now := time.Now().UTC()
	c.mu.Lock()
	c.loadAliveLocked()
	var from time.Time
	if c.missed && !c.alive.At.IsZero() {
		from = c.alive.At.Add(-c.opts.Margin)
		if p := c.alive.Pending; !p.IsZero() && p.Before(from) {
			from = p
		}
		from = later(from, now.Add(-c.opts.MaxGap))
		c.alive.Pending = from
	}
	c.missed = false
	if !from.IsZero() && !c.running && !c.began.IsZero() && now.Sub(c.began) < c.opts.MinInterval {
		c.missed, from = true, time.Time{} // too soon: Pending keeps the gap
	}
	c.alive.At = now
	c.saveAliveLocked()
	start := false
	if !from.IsZero() {
		if c.running {
			if c.again.IsZero() || from.Before(c.again) {
				c.again = from
			}
		} else {
			c.running, start, c.began = true, true, now
		}
	}
	c.mu.Unlock()
	if start {
		bg.Go(func() { c.loop(ctx, from, now) })
	}
}

// Shutdown records, on a clean shutdown while deliveries were arriving,
// that they did until now.
func (c *Catcher) Shutdown() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loadAliveLocked()
	c.alive.At = time.Now().UTC()
	c.saveAliveLocked()
}

// loop catches up on [from, to], then on any gap that came up meanwhile;
// the gap pending in the alive record is cleared once all are.
func (c *Catcher) loop(ctx context.Context, from, to time.Time) {
	for {
		err := c.Run(ctx, from, to)
		c.mu.Lock()
		if err != nil {
			c.missed = true // the next check that comes back tries again
		}
		if again := c.again; !again.IsZero() && ctx.Err() == nil {
			c.again = time.Time{}
			c.mu.Unlock()
			from, to = earlier(from, again), time.Now().UTC()
			continue
		}
		c.running = false
		if err == nil {
			c.alive.Pending = time.Time{}
			c.saveAliveLocked()
		}
		c.mu.Unlock()
		return
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
