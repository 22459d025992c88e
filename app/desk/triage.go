package desk

import (
	"context"

	"github.com/leadbell/leadbell/app/broker"
	"github.com/leadbell/leadbell/app/triage"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// Triage: what Leadbell makes of each reply before anyone categorised it
// (app/triage), kept with the reply (store.SetTriage). It runs here, off
// the receiver's path: a delivery is answered as soon as it is on disk,
// and its triage follows a moment later as an update.

// triageBacklog is how many of the newest replies not triaged yet (stored
// before Leadbell triaged, or while it was stopped) are triaged at start.
const triageBacklog = 2000

// triageLoop triages the replies stored while it runs, from sub, and the
// newest of those stored before, until ctx ends.
func (d *Desk) triageLoop(ctx context.Context, sub *broker.Subscription) {
	defer func() { sub.Cancel() }()
	d.triageBacklog(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-sub.C:
			if !ok { // fell behind: what it missed is the backlog's
				sub = d.cfg.New.Subscribe(0)
				d.triageBacklog(ctx)
				continue
			}
			if ev.Type == event.Replied && ev.Triage == "" {
				d.triage(ev)
			}
		}
	}
}

// triageBacklog triages the newest replies not triaged yet.
func (d *Desk) triageBacklog(ctx context.Context) {
	q := store.Query{Triage: "none", Limit: store.MaxLimit}
	for done := 0; done < triageBacklog && ctx.Err() == nil; {
		page, err := d.cfg.Store.List(q)
		if err != nil {
			d.cfg.Logger.Warn("unable to list the replies to triage", "error", err)
			return
		}
		for _, ev := range page.Events {
			d.triage(ev)
		}
		done += len(page.Events)
		if page.Next == "" {
			return
		}
		q.Before = page.Next
	}
}

// triage classifies one reply and keeps the result.
func (d *Desk) triage(ev event.Event) {
	s := triage.Classify(triage.Reply{Subject: ev.Subject, Body: ev.Body, Received: ev.When()})
	changed, err := d.cfg.Store.SetTriage(ev.ID, string(s.Class), s.Reason)
	if err != nil {
		d.cfg.Logger.Debug("unable to keep a reply's triage", "event_id", ev.ID, "error", err)
		return
	}
	d.cfg.Changed(changed)
}
