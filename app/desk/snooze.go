package desk

import (
	"time"
)

// wakeDue brings back the snoozed replies whose time has come, unread and
// with a notification, and returns when the next one is due (zero: none).
func (d *Desk) wakeDue() time.Time {
	for {
		id, until, ok, err := d.cfg.Store.NextSnooze()
		switch {
		case err != nil:
			d.cfg.Logger.Warn("unable to read the snoozed replies", "error", err)
			return time.Now().Add(time.Minute)
		case !ok:
			return time.Time{}
		case until.After(time.Now()):
			return until
		}
		ev, woken, err := d.cfg.Store.Wake(id)
		if err != nil {
			d.cfg.Logger.Warn("unable to bring back a snoozed reply", "event_id", id, "error", err)
			return time.Now().Add(time.Minute)
		}
		if woken {
			d.cfg.Logger.Info("snoozed reply back", "event_id", id)
			d.cfg.Changed(ev)
			d.cfg.Woken(ev)
		}
	}
}

// Snoozed tells the desk that a reply was snoozed (or a snooze ended): its
// time may come before the next it knew of.
func (d *Desk) Snoozed() { d.poke() }
