package notify

import (
	"strconv"
	"time"

	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/event"
)

// Reasons an event raises no notification, as logged at debug level.
const (
	reasonDuplicate  = "duplicate"
	reasonTypeOff    = "type_off"
	reasonBackfilled = "backfilled_old"
	reasonPaused     = "paused"
	reasonQuiet      = "quiet_hours"
	reasonStopped    = "stopped"
	reasonTriage     = "triage_never"
)

// skip says why ev must not be notified at now under cfg, or "" when it may.
// Duplicates are checked by the caller, which owns the memory of ids.
func (n *Notifier) skip(ev event.Event, now time.Time, cfg settings.Notifications) string {
	if !cfg.Types[ev.Type] {
		return reasonTypeOff
	}
	if ev.Backfilled && (ev.Timestamp.IsZero() || now.Sub(ev.Timestamp) > n.opts.BackfillMaxAge) {
		// Caught up from SmartLead after an outage: news only if recent.
		// A backfilled event that does not say when it happened is old.
		return reasonBackfilled
	}
	return n.silenced(now, cfg)
}

// silenced says whether nothing at all may pop up at now: the user paused
// notifications, or it is quiet hours. It is checked again when a held
// batch is due, so a pause clicked during the hold holds.
func (n *Notifier) silenced(now time.Time, cfg settings.Notifications) string {
	if n.stopped {
		return reasonStopped
	}
	if now.Before(n.pausedUntil) {
		return reasonPaused
	}
	if quiet(cfg.QuietHours, now.In(n.opts.Location)) {
		return reasonQuiet
	}
	return ""
}

// quiet reports whether local time t falls in the daily window q. The window
// includes its start and excludes its end; a start after the end wraps past
// midnight ("22:00" to "07:00"); equal times, or times that do not parse,
// make an empty window.
func quiet(q settings.QuietHours, t time.Time) bool {
	if !q.Enabled {
		return false
	}
	start, ok1 := minuteOfDay(q.Start)
	end, ok2 := minuteOfDay(q.End)
	if !ok1 || !ok2 || start == end {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	if start < end {
		return m >= start && m < end
	}
	return m >= start || m < end
}

// minuteOfDay reads "HH:MM" (24-hour clock).
func minuteOfDay(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

// seenIDs remembers the most recent event ids, so that an event the broker
// hands over again (after a subscriber caught up, or a redelivery that got
// past the store) does not pop up twice. It forgets the oldest id once full.
type seenIDs struct {
	set  map[string]struct{}
	ring []string
	next int
}

func newSeenIDs(size int) *seenIDs {
	return &seenIDs{set: make(map[string]struct{}, size), ring: make([]string, size)}
}

// add records id and reports whether it was new. An empty id cannot be
// compared and always counts as new.
func (s *seenIDs) add(id string) bool {
	if id == "" {
		return true
	}
	if _, ok := s.set[id]; ok {
		return false
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.set, old)
	}
	s.ring[s.next] = id
	s.next = (s.next + 1) % len(s.ring)
	s.set[id] = struct{}{}
	return true
}

// eventKey is what identifies an event for de-duplication: its id, else
// the idempotency key the parser set.
func eventKey(ev event.Event) string {
	if ev.ID != "" {
		return "id:" + ev.ID
	}
	if ev.Key != "" {
		return "key:" + ev.Key
	}
	return ""
}
