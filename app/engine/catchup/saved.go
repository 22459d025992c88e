package catchup

import (
	"context"
	"fmt"
	"time"

	"github.com/leadbell/leadbell/store"
)

// What a catch-up keeps in the store.

// aliveRecord is what a restart needs to know to catch up.
type aliveRecord struct {
	// At is when deliveries were last known to reach Leadbell.
	At time.Time `json:"at"`
	// Pending is the start of a gap not yet caught up; zero when none.
	Pending time.Time `json:"pending,omitzero"`
}

var aliveDoc = store.Doc[aliveRecord]("alive")

// LastAlive is when deliveries were last known to reach Leadbell, as
// saved; zero when never.
func LastAlive(st *store.Store) (time.Time, error) {
	rec, _, err := aliveDoc.Get(st)
	return rec.At, err
}

// loadAliveLocked reads the alive record once; a data directory from before
// it existed has the last self-test instead. c.mu must be held.
func (c *Catcher) loadAliveLocked() {
	if c.loaded {
		return
	}
	ok, err := aliveDoc.Load(c.st, &c.alive)
	if err != nil {
		c.log.Warn("unable to read the alive record", "error", err)
	}
	if !ok {
		c.alive.At = c.host.LastSelfTest()
	}
	c.loaded = true
}

// saveAliveLocked writes the alive record; c.mu must be held.
func (c *Catcher) saveAliveLocked() {
	if err := aliveDoc.Put(c.st, c.alive); err != nil {
		c.log.Warn("unable to save the alive record", "error", err)
	}
}

// backfilledReply is one entry of the map in which Leadbell, before the
// store's "backfilled" bucket, kept the Message-IDs of replies stored from
// the history; newGuard moves them to the bucket, once.
type backfilledReply struct {
	ID string    `json:"id"` // the stored event's id
	At time.Time `json:"at"` // when it was stored
}

var oldBackfilledDoc = store.Doc[map[string]backfilledReply]("backfilled_replies")

// moveOldBackfilled moves the old map, if there is one, to the bucket.
func moveOldBackfilled(st *store.Store) error {
	old, ok, err := oldBackfilledDoc.Get(st)
	if err != nil {
		return fmt.Errorf("catchup: unable to read the backfilled replies: %w", err)
	}
	if !ok {
		return nil
	}
	for id, r := range old {
		if err := st.PutBackfilled(context.Background(), id, r.ID, r.At); err != nil {
			return err
		}
	}
	return oldBackfilledDoc.Delete(st)
}
