package catchup

import (
	"context"
	"errors"
	"log/slog"
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
// Message-ID, though, so replies are told apart by it: the Guard stands
// between the receiver and the store and answers a delivery of a reply
// already stored from the history as a duplicate, and the catch-up stores a
// reply from the history only when no stored event has its Message-ID.
// Each Message-ID is claimed while it is being looked up and stored, so a
// delivery and the catch-up racing with the same reply store it once.

// BackfilledMaxAge is how long a reply stored from the history is
// remembered (store.PruneBackfilled, by the daily upkeep): SmartLead
// retries for hours and a catch-up reaches back at most MaxGap, both far
// below it.
const BackfilledMaxAge = 60 * 24 * time.Hour

// Guard is the store as the receiver sees it (webhook.Store): replies are
// deduplicated by Message-ID against those the catch-up stored, and a
// delivery of an event that happened during the last caught-up gap is
// marked backfilled, since SmartLead only sent it because Leadbell missed
// it (a re-trigger or a late retry).
type Guard struct {
	st  *store.Store
	log *slog.Logger

	mu       sync.Mutex
	busy     map[string]chan struct{} // Message-IDs being looked up and stored
	from, to time.Time                // the last catch-up's gap
}

func newGuard(st *store.Store, log *slog.Logger) (*Guard, error) {
	if err := moveOldBackfilled(st); err != nil {
		return nil, err
	}
	return &Guard{st: st, log: log, busy: map[string]chan struct{}{}}, nil
}

// Append stores a delivery; see Guard.
func (g *Guard) Append(ctx context.Context, ev event.Event) (event.Event, bool, error) {
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
func (g *Guard) Reject(r store.Rejection) { g.st.Reject(r) }

// catchingUp makes deliveries of events that happened in [from, to) count
// as backfilled from now on.
func (g *Guard) catchingUp(from, to time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.from, g.to = from, to
}

// gap is the last catch-up's gap; zero before the first.
func (g *Guard) gap() (from, to time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.from, g.to
}

// claim waits until nobody else is storing a reply with Message-ID id and
// claims it; release gives it back.
func (g *Guard) claim(ctx context.Context, id string) (release func(), err error) {
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
func (g *Guard) backfilledID(id string) (string, bool) {
	eventID, ok, err := g.st.Backfilled(id)
	if err != nil {
		g.log.Warn("unable to read a backfilled reply", "error", err)
	}
	return eventID, ok
}

// remember records that the reply with Message-ID id was stored from the
// history as event eventID.
func (g *Guard) remember(id, eventID string, now time.Time) error {
	return g.st.PutBackfilled(context.Background(), id, eventID, now)
}
