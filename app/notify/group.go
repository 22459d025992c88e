package notify

import (
	"context"
	"time"

	"github.com/leadbell/leadbell/event"
)

// perWindow is how many notifications may pop up within one Window; the
// rule of the product is "three or more within ten seconds become one".
const perWindow = 2

// keep is how many events of a batch are kept whole: enough for the
// singles a batch may become and for the names a group shows. The rest are
// only counted.
const keep = 8

// batch is what is held for the next send.
type batch struct {
	events    []event.Event // the first keep events, in arrival order
	count     int
	byType    map[event.Type]int
	first     time.Time // when the first event arrived
	notBefore time.Time // when the window has room for one more pop-up
	loud      bool      // an event in it may play the sound (not a silent one)
}

func (b *batch) add(ev event.Event, loud bool) {
	b.loud = b.loud || loud
	if b.byType == nil {
		b.byType = make(map[event.Type]int)
	}
	if len(b.events) < keep {
		b.events = append(b.events, ev)
	}
	b.count++
	b.byType[ev.Type]++
}

// only removes the events whose type is switched off now.
func (b *batch) only(on map[event.Type]bool) {
	kept := b.events[:0]
	for _, ev := range b.events {
		if on[ev.Type] {
			kept = append(kept, ev)
		}
	}
	b.events = kept
	for t, c := range b.byType {
		if !on[t] {
			b.count -= c
			delete(b.byType, t)
		}
	}
}

// hold adds ev to the batch and sets when the batch goes out: once Hold
// passed without another event, or Window after its first event, whichever
// comes first; but never while two notifications already went out within
// the last Window. n.mu is held.
func (n *Notifier) hold(ev event.Event, now time.Time, loud bool) {
	if n.batch.count == 0 {
		n.batch.first = now
		n.batch.notBefore = n.windowFreeAt(now)
	}
	n.batch.add(ev, loud)
	due := now.Add(n.opts.Hold)
	if limit := n.batch.first.Add(n.opts.Window); due.After(limit) {
		due = limit
	}
	if due.Before(n.batch.notBefore) {
		due = n.batch.notBefore
	}
	if n.timer != nil {
		n.timer.Stop()
	}
	n.gen++
	gen := n.gen
	n.timer = time.AfterFunc(due.Sub(now), func() { n.flush(gen) })
}

// recent forgets the sends that left the window and returns the others.
func (n *Notifier) recent(now time.Time) []time.Time {
	i := 0
	for i < len(n.sent) && now.Sub(n.sent[i]) >= n.opts.Window {
		i++
	}
	n.sent = n.sent[i:]
	return n.sent
}

// windowFreeAt is the first time from now at which one more notification
// may pop up without making three within a window.
func (n *Notifier) windowFreeAt(now time.Time) time.Time {
	r := n.recent(now)
	if len(r) < perWindow {
		return now
	}
	return r[len(r)-perWindow].Add(n.opts.Window)
}

// flush sends the batch its timer was set for: each event on its own when
// the window has room for all of them, else one group for the lot. Quiet
// hours, a pause and the type switches are checked again first, since they
// may have changed during the hold.
func (n *Notifier) flush(gen uint64) {
	cfg := n.opts.Settings()
	n.mu.Lock()
	if gen != n.gen || n.batch.count == 0 {
		n.mu.Unlock()
		return // the batch was rescheduled or dropped as this timer fired
	}
	now := time.Now()
	b := n.batch
	n.batch, n.timer = batch{}, nil
	if why := n.silenced(now, cfg); why != "" {
		n.mu.Unlock()
		n.log.Debug("dropped held events", "events", b.count, "reason", why)
		return
	}
	b.only(cfg.Types)
	sound := cfg.Sound && b.loud
	var out []Notification
	switch room := perWindow - len(n.recent(now)); {
	case b.count == 0:
	case b.count <= max(room, 1): // a lone event is never a "group of 1"
		for _, ev := range b.events {
			out = append(out, single(ev, sound))
		}
	default:
		out = append(out, grouped(&b, sound))
	}
	for range out {
		n.sent = append(n.sent, now)
	}
	n.mu.Unlock()
	// One send at a time. Taking sendMu only after mu is let go keeps
	// Handle from ever waiting on the desktop; the price is that a send
	// slower than Hold may let the next batch overtake it.
	n.sendMu.Lock()
	defer n.sendMu.Unlock()
	for _, m := range out {
		ctx, cancel := context.WithTimeout(context.Background(), n.opts.SendTimeout)
		err := n.opts.Sender.Send(ctx, m)
		cancel()
		if err != nil {
			n.log.Warn("unable to show a notification", "events", m.Events, "error", err)
		}
	}
}
