package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// A reply can reach Leadbell twice by different roads: as a webhook
// delivery (late, re-triggered or retried by SmartLead) and from the lead's
// message history during a catch-up. The store knows an event by its
// idempotency key, and the two roads cannot give the same key: a
// delivery's key holds fields as SmartLead sent them (event_timestamp,
// stats_id) that the history does not echo. Both carry the reply's
// Message-ID, though, so replies are told apart by it: replyGuard stands
// between the receiver and the store and answers a delivery of a reply
// already stored from the history as a duplicate, and the catch-up stores a
// reply from the history only when no stored event has its Message-ID.
// Each Message-ID is claimed while it is being looked up and stored, so a
// delivery and the catch-up racing with the same reply store it once.

// backfilledKey is the settings key of the Message-IDs of replies stored
// from the history, with their event ids: kept so that a delivery of one
// of them after a restart is still a duplicate.
const backfilledKey = "backfilled_replies"

// How long, and how many, replies stored from the history are remembered.
// SmartLead retries for hours and a catch-up reaches back at most
// maxGap, both far below the age limit.
const (
	backfilledMaxAge = 60 * 24 * time.Hour
	backfilledMax    = 20000
)

// backfilledReply is one reply stored from a lead's message history.
type backfilledReply struct {
	ID string    `json:"id"` // the stored event's id
	At time.Time `json:"at"` // when it was stored
}

// replyGuard is the store as the receiver sees it (webhook.Store): replies
// are deduplicated by Message-ID against those the catch-up stored, and a
// delivery of an event that happened during the last caught-up gap is
// marked backfilled, since SmartLead only sent it because Leadbell missed
// it (a re-trigger or a late retry).
type replyGuard struct {
	st     *store.Store
	log    *slog.Logger
	saveMu sync.Mutex // orders the saves of seen

	mu       sync.Mutex
	busy     map[string]chan struct{} // Message-IDs being looked up and stored
	seen     map[string]backfilledReply
	from, to time.Time // the last catch-up's gap
}

func newReplyGuard(st *store.Store, log *slog.Logger) (*replyGuard, error) {
	g := &replyGuard{st: st, log: log, busy: map[string]chan struct{}{}, seen: map[string]backfilledReply{}}
	if _, err := st.GetJSON(backfilledKey, &g.seen); err != nil {
		return nil, fmt.Errorf("app: unable to read the backfilled replies: %w", err)
	}
	return g, nil
}

// Append stores a delivery; see replyGuard.
func (g *replyGuard) Append(ctx context.Context, ev event.Event) (event.Event, bool, error) {
	g.mu.Lock()
	if !g.to.IsZero() && !ev.Timestamp.IsZero() && !ev.Timestamp.Before(g.from) && ev.Timestamp.Before(g.to) {
		ev.Backfilled = true
	}
	g.mu.Unlock()
	if ev.Type != event.Replied || ev.MessageID == "" {
		return g.st.Append(ctx, ev)
	}
	release, err := g.claim(ctx, ev.MessageID)
	if err != nil {
		return event.Event{}, false, err
	}
	defer release()
	if id, ok := g.backfilledID(ev.MessageID); ok {
		stored, err := g.st.Event(id)
		if err == nil {
			return stored, true, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return event.Event{}, false, err
		}
		// The user deleted it since: take the delivery as new.
	}
	return g.st.Append(ctx, ev)
}

// Reject logs a refused delivery.
func (g *replyGuard) Reject(r store.Rejection) { g.st.Reject(r) }

// catchingUp makes deliveries of events that happened in [from, to) count
// as backfilled from now on.
func (g *replyGuard) catchingUp(from, to time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.from, g.to = from, to
}

// claim waits until nobody else is storing a reply with Message-ID id and
// claims it; release gives it back.
func (g *replyGuard) claim(ctx context.Context, id string) (release func(), err error) {
	for {
		g.mu.Lock()
		wait, taken := g.busy[id]
		if !taken {
			done := make(chan struct{})
			g.busy[id] = done
			g.mu.Unlock()
			return func() {
				g.mu.Lock()
				delete(g.busy, id)
				g.mu.Unlock()
				close(done)
			}, nil
		}
		g.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// backfilledID is the event id of the reply with Message-ID id stored from
// the history, if there is one.
func (g *replyGuard) backfilledID(id string) (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r, ok := g.seen[id]
	return r.ID, ok
}

// remember records that the reply with Message-ID id was stored from the
// history as event eventID, and saves the list, oldest entries dropped.
func (g *replyGuard) remember(id, eventID string, now time.Time) error {
	g.saveMu.Lock()
	defer g.saveMu.Unlock()
	g.mu.Lock()
	g.seen[id] = backfilledReply{ID: eventID, At: now}
	for k, r := range g.seen {
		if now.Sub(r.At) > backfilledMaxAge {
			delete(g.seen, k)
		}
	}
	if over := len(g.seen) - backfilledMax; over > 0 {
		ids := slices.SortedFunc(maps.Keys(g.seen), func(a, b string) int { return g.seen[a].At.Compare(g.seen[b].At) })
		for _, k := range ids[:over] {
			delete(g.seen, k)
		}
	}
	snapshot := maps.Clone(g.seen)
	g.mu.Unlock()
	if err := g.st.PutJSON(backfilledKey, snapshot); err != nil {
		return fmt.Errorf("app: unable to save the backfilled replies: %w", err)
	}
	return nil
}
