package engine

import (
	"cmp"
	"context"
	"sync"
	"time"

	"github.com/leadbell/leadbell/app/api"
)

// Catching up. While Leadbell is deaf (closed, asleep, offline, its tunnel
// down) SmartLead's deliveries fail: it retries a few times, then gives up,
// and disables a webhook that keeps failing. So Leadbell remembers when it
// last knew deliveries were reaching it (the alive record: saved after every
// self-test that came back and on a clean shutdown), and once it is back
// (registered, and its self-test came back) it catches up on the gap from
// that time, less a margin, to now:
//
//  1. it asks SmartLead to re-deliver what failed, campaign by campaign
//     (retrigger-failed-events), and lets those deliveries land;
//  2. it reads the message history of the leads with activity in or shortly
//     before the gap and stores the replies no webhook brought (those sent
//     while the webhook was disabled, say), marked backfilled.
//
// Both steps are bounded (at most maxCampaigns re-trigger calls and
// maxHistory history calls), and the client paces every call to SmartLead's
// limit. A catch-up that fails (rate limited, offline) leaves its gap
// pending in the alive record: the next one starts from there.

// aliveKey is the settings key of the alive record.
const aliveKey = "alive"

// aliveRecord is what a restart needs to know to catch up.
type aliveRecord struct {
	// At is when deliveries were last known to reach Leadbell.
	At time.Time `json:"at"`
	// Pending is the start of a gap not yet caught up; zero when none.
	Pending time.Time `json:"pending,omitzero"`
}

// backfillOptions bound a catch-up; setDefaults fills in the zero ones.
type backfillOptions struct {
	margin       time.Duration // the gap starts this long before the last sign of life
	maxGap       time.Duration // and never further back than this
	lookback     time.Duration // leads active this long before the gap get their history read
	maxCampaigns int           // retrigger-failed-events calls per catch-up
	maxHistory   int           // message-history calls per catch-up
	maxScan      int           // stored events read to find active leads
	quiet        time.Duration // re-deliveries have landed once nothing arrived for this long
	settleMax    time.Duration // but they are not waited for longer than this
	poll         time.Duration // how often the store is looked at meanwhile
	// minInterval spaces catch-ups: a tunnel that flaps would otherwise
	// start one after each return, each up to maxCampaigns+maxHistory calls
	// against SmartLead's 60 a minute. A gap that comes up sooner is kept
	// and caught up by the first good check after the interval.
	minInterval time.Duration
}

func (o *backfillOptions) setDefaults() {
	o.margin = cmp.Or(o.margin, 10*time.Minute)
	o.maxGap = cmp.Or(o.maxGap, 7*24*time.Hour)
	o.lookback = cmp.Or(o.lookback, 48*time.Hour)
	o.maxCampaigns = cmp.Or(o.maxCampaigns, 50)
	o.maxHistory = cmp.Or(o.maxHistory, 30)
	o.maxScan = cmp.Or(o.maxScan, 5000)
	o.quiet = cmp.Or(o.quiet, 2*time.Second)
	o.settleMax = cmp.Or(o.settleMax, 20*time.Second)
	o.poll = cmp.Or(o.poll, 200*time.Millisecond)
	o.minInterval = cmp.Or(o.minInterval, 2*time.Minute)
}

// catchUp is the engine's catch-up bookkeeping.
type catchUp struct {
	// opts bound a catch-up after downtime; replies is the store as the
	// receiver and the catch-up see it (backfill_replies.go). Both are set
	// when the engine is made.
	opts    backfillOptions
	replies *replyGuard

	mu      sync.Mutex // held across saves of alive, so they stay in order
	loaded  bool
	alive   aliveRecord
	missed  bool      // deliveries may have been missed since the last catch-up began
	running bool      // a catch-up is running
	again   time.Time // start of a gap that came up while one was running
	began   time.Time // when the last catch-up began

	note string // what the status adds to "listening"; guarded by Engine.mu
}

// watchStarts is called as a watch begins, before its first check: the
// alive record is read (so a fallback to the last self-test is the one
// before this run), and since this run's receiver was not proven yet,
// deliveries may have been missed.
func (e *Engine) watchStarts() {
	e.catchUp.mu.Lock()
	defer e.catchUp.mu.Unlock()
	e.loadAliveLocked()
	e.catchUp.missed = true
}

// noteMissed records that deliveries may have been missed: the next
// self-test that comes back starts a catch-up.
func (e *Engine) noteMissed() {
	e.catchUp.mu.Lock()
	e.catchUp.missed = true
	e.catchUp.mu.Unlock()
}

// loadAliveLocked reads the alive record once; a data directory from before
// it existed has the last self-test instead. catchUp.mu must be held.
func (e *Engine) loadAliveLocked() {
	if e.catchUp.loaded {
		return
	}
	ok, err := e.store.GetJSON(aliveKey, &e.catchUp.alive)
	if err != nil {
		e.cfg.Logger.Warn("unable to read the alive record", "error", err)
	}
	if !ok {
		var h Health
		if _, err := e.store.GetJSON(healthKey, &h); err == nil {
			e.catchUp.alive.At = h.LastSelfTestAt
		}
	}
	e.catchUp.loaded = true
}

// saveAliveLocked writes the alive record; catchUp.mu must be held.
func (e *Engine) saveAliveLocked() {
	if err := e.store.PutJSON(aliveKey, e.catchUp.alive); err != nil {
		e.cfg.Logger.Warn("unable to save the alive record", "error", err)
	}
}

// alive is called after every watchdog check: a failed one means
// deliveries may be missed; one that came back is a sign of life, and the
// moment to catch up when something may have been missed since the last.
func (e *Engine) alive(ctx context.Context, ok bool, bg *sync.WaitGroup) {
	if !ok || !e.store.Health().OK() { // a self-test comes back while the disk refuses events
		e.noteMissed()
		return
	}
	now := time.Now().UTC()
	opts := e.catchUp.opts
	cu := &e.catchUp
	cu.mu.Lock()
	e.loadAliveLocked()
	var from time.Time
	if cu.missed && !cu.alive.At.IsZero() {
		from = cu.alive.At.Add(-opts.margin)
		if p := cu.alive.Pending; !p.IsZero() && p.Before(from) {
			from = p
		}
		from = later(from, now.Add(-opts.maxGap))
		cu.alive.Pending = from
	}
	cu.missed = false
	if !from.IsZero() && !cu.running && !cu.began.IsZero() && now.Sub(cu.began) < opts.minInterval {
		cu.missed, from = true, time.Time{} // too soon: Pending keeps the gap
	}
	cu.alive.At = now
	e.saveAliveLocked()
	start := false
	if !from.IsZero() {
		if cu.running {
			if cu.again.IsZero() || from.Before(cu.again) {
				cu.again = from
			}
		} else {
			cu.running, start, cu.began = true, true, now
		}
	}
	cu.mu.Unlock()
	if start {
		bg.Go(func() { e.catchUpLoop(ctx, from, now) })
	}
}

// shutdownAlive records, on a clean shutdown, that deliveries reached
// Leadbell until now.
func (e *Engine) shutdownAlive() {
	if e.Status().State != api.StateListening {
		return
	}
	e.catchUp.mu.Lock()
	defer e.catchUp.mu.Unlock()
	e.loadAliveLocked()
	e.catchUp.alive.At = time.Now().UTC()
	e.saveAliveLocked()
}

// catchUpLoop catches up on [from, to], then on any gap that came up
// meanwhile; the gap pending in the alive record is cleared once all are.
func (e *Engine) catchUpLoop(ctx context.Context, from, to time.Time) {
	cu := &e.catchUp
	for {
		err := e.backfill(ctx, from, to)
		cu.mu.Lock()
		if err != nil {
			cu.missed = true // the next check that comes back tries again
		}
		if again := cu.again; !again.IsZero() && ctx.Err() == nil {
			cu.again = time.Time{}
			cu.mu.Unlock()
			from, to = earlier(from, again), time.Now().UTC()
			continue
		}
		cu.running = false
		if err == nil {
			cu.alive.Pending = time.Time{}
			e.saveAliveLocked()
		}
		cu.mu.Unlock()
		return
	}
}
