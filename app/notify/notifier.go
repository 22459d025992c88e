package notify

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/leadbell/leadbell/app/broker"
	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/app/triage"
	"github.com/leadbell/leadbell/event"
)

// ErrDropped is returned by Run when the subscription's channel closed
// while its context was still live: the broker dropped a subscriber that
// fell behind, or someone cancelled it. Subscribe again to go on.
var ErrDropped = errors.New("notify: subscription closed")

// Defaults of Options.
const (
	DefaultHold           = 2 * time.Second
	DefaultWindow         = 10 * time.Second
	DefaultBackfillMaxAge = 5 * time.Minute
	DefaultSendTimeout    = 5 * time.Second
	DefaultRemember       = 4096
)

// Options configure a Notifier. Only Sender is required.
type Options struct {
	// Sender shows the notifications (NewDBusSender on Linux).
	Sender Sender
	// Settings returns the current notification settings. It is called for
	// every event and again when a held batch is due, so a change in the
	// settings applies at once. Nil means settings.Default's.
	Settings func() settings.Notifications
	// Logger receives one line per failed send and, at debug level, why an
	// event raised nothing. Nil discards.
	Logger *slog.Logger
	// Location is where quiet hours are read; nil means time.Local.
	Location *time.Location
	// Hold is how long a notification waits for others to group with
	// (DefaultHold): a single reply pops up after Hold.
	Hold time.Duration
	// Window is the span in which at most two notifications pop up
	// (DefaultWindow); whatever would be a third is merged into a group.
	Window time.Duration
	// BackfillMaxAge is how old a backfilled event may be and still pop up
	// (DefaultBackfillMaxAge).
	BackfillMaxAge time.Duration
	// SendTimeout bounds one Send (DefaultSendTimeout).
	SendTimeout time.Duration
	// Remember is how many recent event ids are kept to refuse duplicates
	// (DefaultRemember).
	Remember int
}

// Notifier decides which new events pop up on the desktop, and how: it
// filters by the settings, refuses duplicates and old backfills, keeps quiet
// in quiet hours and while paused, and groups bursts. Its methods are safe
// for concurrent use.
type Notifier struct {
	opts Options
	log  *slog.Logger

	sendMu sync.Mutex // one Send at a time

	mu          sync.Mutex
	seen        *seenIDs
	batch       batch       // events held for the next send
	timer       *time.Timer // fires flush for batch; nil when batch is empty
	gen         uint64      // counts batches, so a stale timer flushes nothing
	sent        []time.Time // when the last pops went out, oldest first
	pausedUntil time.Time
	stopped     bool
}

// New returns a Notifier that shows its notifications through o.Sender.
func New(o Options) *Notifier {
	if o.Settings == nil {
		o.Settings = func() settings.Notifications { return settings.Default().Notifications }
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	o.Logger = o.Logger.With("component", "notify")
	if o.Location == nil {
		o.Location = time.Local
	}
	o.Hold = positive(o.Hold, DefaultHold)
	o.Window = positive(o.Window, DefaultWindow)
	o.BackfillMaxAge = positive(o.BackfillMaxAge, DefaultBackfillMaxAge)
	o.SendTimeout = positive(o.SendTimeout, DefaultSendTimeout)
	if o.Remember <= 0 {
		o.Remember = DefaultRemember
	}
	return &Notifier{opts: o, log: o.Logger, seen: newSeenIDs(o.Remember)}
}

func positive(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Run handles every event of sub until ctx ends, then cancels sub, drops
// whatever is held and returns nil; it may be called again later with a new
// context. If sub's channel closes first it returns ErrDropped, keeping what
// is held, so the caller can subscribe again:
//
//	for ctx.Err() == nil {
//		if err := n.Run(ctx, b.Subscribe(0)); err != nil {
//			log.Warn("resubscribing", "error", err)
//		}
//	}
func (n *Notifier) Run(ctx context.Context, sub *broker.Subscription) error {
	defer sub.Cancel()
	for {
		select {
		case <-ctx.Done():
			n.discard()
			return nil
		case ev, ok := <-sub.C:
			if !ok {
				if ctx.Err() != nil {
					n.discard()
					return nil
				}
				return ErrDropped
			}
			n.Handle(ev)
		}
	}
}

// Handle considers one newly stored event. It never waits for the desktop:
// a notification it decides on is sent later, from a timer.
func (n *Notifier) Handle(ev event.Event) {
	cfg := n.opts.Settings()
	n.mu.Lock()
	defer n.mu.Unlock()
	now := time.Now()
	if !n.seen.add(eventKey(ev)) {
		n.log.Debug("skipped", "event_id", ev.ID, "reason", reasonDuplicate)
		return
	}
	pop := popOf(ev, cfg)
	if pop == settings.PopNow && cfg.UrgentInQuietHours && n.silenced(now, cfg) == reasonQuiet {
		cfg.QuietHours.Enabled = false // the user lets these through
	}
	if why := n.skip(ev, now, cfg); why != "" {
		n.log.Debug("skipped", "event_id", ev.ID, "type", ev.Type, "reason", why)
		return
	}
	switch pop {
	case settings.PopNever:
		n.log.Debug("skipped", "event_id", ev.ID, "type", ev.Type, "reason", reasonTriage)
	case settings.PopNow:
		n.sent = append(n.sent, now)
		go n.now(single(ev, cfg.Sound))
	default:
		n.hold(ev, now, pop != settings.PopSilent)
	}
}

// popOf is how ev pops up: a reply by its triage (classified here when the
// desk has not yet), anything else normally.
func popOf(ev event.Event, cfg settings.Notifications) string {
	if ev.Type != event.Replied {
		return settings.PopNormal
	}
	class := ev.Triage
	if class == "" {
		class = string(triage.Classify(triage.Reply{Subject: ev.Subject, Body: ev.Body, Received: ev.When()}).Class)
	}
	return cfg.Pop(class)
}

// PauseUntil silences notifications until t (the tray's "Pause
// notifications for 1 hour" is PauseUntil(time.Now().Add(time.Hour))).
// Events that arrive meanwhile never pop up, not even afterwards. A t in
// the past, or the zero time, resumes at once.
func (n *Notifier) PauseUntil(t time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.pausedUntil = t
}

// PausedUntil returns when a pause ends, or the zero time when
// notifications are not paused; the tray shows it.
func (n *Notifier) PausedUntil() time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !time.Now().Before(n.pausedUntil) {
		return time.Time{}
	}
	return n.pausedUntil
}

// Stop drops what is held and silences the notifier for good; the app
// calls it on quit, so nothing pops up while it shuts down.
func (n *Notifier) Stop() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.stopped = true
	n.discardLocked()
}

// discard drops what is held.
func (n *Notifier) discard() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.discardLocked()
}

func (n *Notifier) discardLocked() {
	if n.timer != nil {
		n.timer.Stop()
		n.timer = nil
	}
	n.batch = batch{}
}

// Notice shows a notification of Leadbell's own (its disk refuses new
// events, and then takes them again), at once: never grouped, held or kept
// quiet, since it says that replies are at stake. It returns once shown,
// or when the send failed (logged).
func (n *Notifier) Notice(summary, body string) {
	n.now(Notification{Summary: oneLine(summary), Body: oneLine(body)})
}

// Back pops up a reply back from a snooze (the user asked to see it
// again then), at once and saying so. A pause or the quiet hours keep it
// quiet as they do a new reply; it is in the inbox, unread, all the same.
func (n *Notifier) Back(ev event.Event) {
	cfg := n.opts.Settings()
	n.mu.Lock()
	why := n.silenced(time.Now(), cfg)
	n.mu.Unlock()
	if !cfg.Types[ev.Type] {
		why = reasonTypeOff
	}
	if why != "" {
		n.log.Debug("skipped", "event_id", ev.ID, "reason", why)
		return
	}
	m := single(ev, cfg.Sound)
	m.Summary = "Back from snooze: " + m.Summary
	n.now(m)
}

// now shows m at once; it returns once shown, or when the send failed
// (logged).
func (n *Notifier) now(m Notification) {
	n.mu.Lock()
	stopped := n.stopped
	n.mu.Unlock()
	if stopped {
		return
	}
	n.sendMu.Lock()
	defer n.sendMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), n.opts.SendTimeout)
	defer cancel()
	if err := n.opts.Sender.Send(ctx, m); err != nil {
		n.log.Warn("unable to show a notification", "summary", m.Summary, "error", err)
	}
}
