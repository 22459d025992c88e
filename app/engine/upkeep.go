package engine

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/leadbell/leadbell/app/desk"
	"github.com/leadbell/leadbell/app/engine/catchup"
	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// Upkeep deletes the events that the retention settings no longer keep:
// once shortly after start, then once a day. The file shrinks at the next
// start (the store compacts a file that is mostly free space when it
// opens).
const (
	// upkeepFirst is the wait after start: the first minutes belong to
	// connecting and catching up.
	upkeepFirst = 2 * time.Minute
	// upkeepEvery is how often the upkeep prunes.
	upkeepEvery = 24 * time.Hour
	// upkeepCheck is how often it looks at the wall clock: a timer does not
	// run while the computer sleeps, the wall clock does.
	upkeepCheck = time.Hour
)

// upkeeper prunes the store by the current retention settings.
type upkeeper struct {
	store     *store.Store
	retention func() settings.Retention
	log       *slog.Logger
	now       func() time.Time
	first     time.Duration // the wait before the first pass
	every     time.Duration // between passes, by the wall clock
	check     time.Duration // how often the wall clock is read
	// passed, when set (by tests), is called after each pass.
	passed func(map[event.Type]int, error)
}

// startUpkeep starts the upkeep until ctx ends; the function it returns
// waits for it to stop.
func (e *Engine) startUpkeep(ctx context.Context) (wait func()) {
	u := &upkeeper{
		store: e.store, retention: e.retention, log: e.cfg.Logger, now: time.Now,
		first: upkeepFirst, every: upkeepEvery, check: upkeepCheck,
	}
	done := make(chan struct{})
	go func() { defer close(done); u.run(ctx) }()
	return func() { <-done }
}

// retention is the retention part of the settings, as they are now.
func (e *Engine) retention() settings.Retention {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.settings.Retention
}

// run prunes after first, then whenever every has passed on the wall
// clock since the last pass, until ctx ends.
func (u *upkeeper) run(ctx context.Context) {
	t := time.NewTimer(u.first)
	defer t.Stop()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if now := u.now(); last.IsZero() || now.Sub(last) >= u.every || now.Before(last) {
			last = now
			n, err := u.prune(ctx)
			if u.passed != nil {
				u.passed(n, err)
			}
		}
		t.Reset(u.check)
	}
}

// prune deletes what the retention settings no longer keep and logs how
// many events of each type went (counts only, never content).
func (u *upkeeper) prune(ctx context.Context) (map[event.Type]int, error) {
	if n, err := u.store.PruneBackfilled(u.now().Add(-catchup.BackfilledMaxAge)); err != nil {
		u.log.Warn("unable to forget old backfilled replies", "error", err)
	} else if n > 0 {
		u.log.Debug("forgot old backfilled replies", "replies", n)
	}
	if n, err := u.store.PruneOutbox(u.now().Add(-desk.OutboxMaxAge)); err != nil {
		u.log.Warn("unable to forget old answers", "error", err)
	} else if n > 0 {
		u.log.Debug("forgot old answers", "answers", n)
	}
	cuts := u.retention().Cutoffs(u.now())
	if len(cuts) == 0 {
		return map[event.Type]int{}, nil
	}
	start := time.Now()
	n, err := u.store.Prune(ctx, cuts)
	total := 0
	for _, c := range n {
		total += c
	}
	attrs := []any{
		"sent", n[event.Sent], "opened", n[event.Opened], "clicked", n[event.Clicked],
		"took", time.Since(start).Round(time.Millisecond),
	}
	switch {
	case err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, store.ErrClosed)):
		u.log.Info("pruning stopped by shutdown", attrs...)
	case err != nil:
		u.log.Error("unable to prune old events", append(attrs, "error", err)...)
	case total > 0:
		u.log.Info("deleted old events", attrs...)
	default:
		u.log.Debug("no events old enough to delete")
	}
	return n, err
}
