// Package desk is the reply desk's work beside the inbox: it sends the
// answers the user writes (after an undo window, exactly once, across
// restarts and crashes: outbox.go), sets a lead's SmartLead category
// (category.go), brings snoozed replies back when their time comes
// (snooze.go), and triages new replies (triage.go). What it keeps is in the store (store.OutboxEntry, the done
// and snoozed marks); what it asks of SmartLead goes through the signed-in
// account's client.
package desk

import (
	"cmp"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/leadbell/leadbell/app/broker"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// DefaultUndo is how long an answer waits before it is sent, so that the
// user can take it back (as Gmail's "Undo send" does).
const DefaultUndo = 10 * time.Second

// Config is what a Desk works with.
type Config struct {
	Store *store.Store
	// Client is the signed-in account's SmartLead client; nil when
	// signed out.
	Client func() *smartlead.Client
	// New is the feed of newly stored events, whose replies the desk
	// triages (triage.go); nil: none are.
	New *broker.Broker
	// Stored is told of each event the desk stores (a sent answer, in the
	// lead's timeline); Changed of each event it changes (a reply back
	// from a snooze, unread); Woken of each reply back from a snooze, to
	// raise a notification.
	Stored, Changed, Woken func(event.Event)
	// Undo is the default wait before an answer is sent (DefaultUndo).
	Undo   time.Duration
	Logger *slog.Logger
}

// Desk does the reply desk's work; Run drives its timers.
type Desk struct {
	cfg  Config
	kick chan struct{} // something new is due sooner than Run knows

	mu         sync.Mutex
	categories []smartlead.Category // the account's, as last read
	catsAt     time.Time
}

// New makes a desk.
func New(cfg Config) *Desk {
	cfg.Undo = cmp.Or(cfg.Undo, DefaultUndo)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	for _, f := range []*func(event.Event){&cfg.Stored, &cfg.Changed, &cfg.Woken} {
		if *f == nil {
			*f = func(event.Event) {}
		}
	}
	return &Desk{cfg: cfg, kick: make(chan struct{}, 1)}
}

// Run sends the answers and wakes the snoozed replies when they are due,
// and triages new replies, until ctx ends. It first settles the answers a
// crash left on their way.
func (d *Desk) Run(ctx context.Context) {
	if d.cfg.New != nil {
		triaged := make(chan struct{})
		go func() { defer close(triaged); d.triageLoop(ctx, d.cfg.New.Subscribe(0)) }()
		defer func() { <-triaged }()
	}
	d.recover(ctx)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		next := d.due(ctx)
		if !next.IsZero() {
			t.Reset(max(time.Until(next), 0))
		}
		select {
		case <-ctx.Done():
			return
		case <-d.kick:
			t.Stop()
		case <-t.C:
		}
	}
}

// due does what is due now and returns when the next thing is; zero when
// nothing waits.
func (d *Desk) due(ctx context.Context) time.Time {
	a := d.sendDue(ctx)
	b := d.wakeDue()
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// poke tells Run that something may be due sooner.
func (d *Desk) poke() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}
