package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/smartlead"
)

// One catch-up (see backfill.go): re-trigger, let the re-deliveries land,
// read the histories (backfill_history.go), and say so in the status.

// backfill catches up on the gap [from, to].
func (e *Engine) backfill(ctx context.Context, from, to time.Time) error {
	c := e.api()
	if c == nil {
		return nil
	}
	e.catchUp.replies.catchingUp(from, to)
	log := e.cfg.Logger.With("from", from.Format(time.RFC3339), "to", to.Format(time.RFC3339))
	log.Info("catching up")
	// SmartLead disables a webhook whose deliveries kept failing, and its
	// per-campaign list does not say so: save each one again first.
	if err := e.register(ctx, regRepair); err != nil {
		return e.catchUpFailed(ctx, err)
	}
	campaigns, all, err := e.backfillCampaigns(ctx, c)
	if err != nil {
		return e.catchUpFailed(ctx, err)
	}
	e.setNote(fmt.Sprintf("Catching up on %d campaign%s…", len(campaigns), plural(len(campaigns))))
	retriggered, err := e.retrigger(ctx, c, campaigns, from, to)
	if err != nil {
		return e.catchUpFailed(ctx, err)
	}
	if retriggered > 0 {
		e.settle(ctx)
	}
	stored, err := e.historyReplies(ctx, c, all, from)
	if err != nil {
		return e.catchUpFailed(ctx, err)
	}
	log.Info("caught up", "campaigns_retriggered", retriggered, "replies_from_history", stored)
	e.setNote("")
	return nil
}

// catchUpFailed says in the status why a catch-up stopped, and returns err.
// A catch-up stopped because the engine is starting over says nothing.
func (e *Engine) catchUpFailed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		e.setNote("")
		return err
	}
	e.cfg.Logger.Warn("catch-up stopped", "error", err)
	e.setNote("Missed events are not caught up yet: " + describe(err) + " Leadbell will try again.")
	return err
}

// backfillCampaigns lists the campaigns to ask for re-deliveries, those
// most likely to have some first (active, then paused), at most
// maxCampaigns of them, and the set of every campaign in scope.
func (e *Engine) backfillCampaigns(ctx context.Context, c *smartlead.Client) ([]smartlead.Campaign, map[string]bool, error) {
	e.mu.Lock()
	scope := e.settings.Scope
	e.mu.Unlock()
	var list []smartlead.Campaign
	if !scope.All && len(scope.Campaigns) > 0 {
		for _, id := range scope.Campaigns {
			list = append(list, smartlead.Campaign{ID: id})
		}
	} else {
		var err error
		if list, err = c.Campaigns(ctx); err != nil {
			return nil, nil, err
		}
	}
	all := make(map[string]bool, len(list))
	for _, camp := range list {
		all[camp.ID] = true
	}
	rank := func(status string) int {
		switch status {
		case "ACTIVE", "":
			return 0
		case "PAUSED":
			return 1
		}
		return 2
	}
	slices.SortStableFunc(list, func(a, b smartlead.Campaign) int { return rank(a.Status) - rank(b.Status) })
	if len(list) > e.catchUp.opts.maxCampaigns {
		e.cfg.Logger.Info("re-triggering only the first campaigns", "campaigns", len(list), "max", e.catchUp.opts.maxCampaigns)
		list = list[:e.catchUp.opts.maxCampaigns]
	}
	return list, all, nil
}

// retrigger asks SmartLead to re-deliver each campaign's failed events of
// [from, to]. An account without the call, or a campaign gone meanwhile,
// is skipped; running into the rate limit or losing the network stops.
func (e *Engine) retrigger(ctx context.Context, c *smartlead.Client, campaigns []smartlead.Campaign, from, to time.Time) (int, error) {
	n := 0
	for _, camp := range campaigns {
		err := c.RetriggerFailed(ctx, camp.ID, from, to)
		switch {
		case err == nil:
			n++
		case errors.Is(err, smartlead.ErrUnsupported):
			e.cfg.Logger.Info("this account cannot re-trigger failed deliveries; reading message histories only")
			return n, nil
		case errors.Is(err, smartlead.ErrNotFound):
		case ctx.Err() != nil, errors.Is(err, smartlead.ErrRateLimited), errors.Is(err, smartlead.ErrUnreachable):
			return n, err
		default:
			e.cfg.Logger.Warn("unable to re-trigger failed deliveries", "campaign_id", camp.ID, "error", err)
		}
	}
	return n, nil
}

// settle waits for re-triggered deliveries to land: until no event arrived
// for a while, or settleMax.
func (e *Engine) settle(ctx context.Context) {
	o := e.catchUp.opts
	deadline := time.Now().Add(o.settleMax)
	last, _ := e.store.LastID()
	quietSince := time.Now()
	for time.Now().Before(deadline) && time.Since(quietSince) < o.quiet {
		if !sleep(ctx, o.poll) {
			return
		}
		if id, err := e.store.LastID(); err == nil && id != last {
			last, quietSince = id, time.Now()
		}
	}
}

// setNote sets what the status says beside "listening" while catching up,
// and shows it at once if the state is listening (never making it so).
func (e *Engine) setNote(note string) {
	e.mu.Lock()
	e.catchUp.note = note
	msg := ""
	if e.view.status.State == api.StateListening && e.view.status.Message != e.listeningMessageLocked() {
		msg = e.listeningMessageLocked()
		e.view.status.Message = msg
	}
	e.mu.Unlock()
	if msg != "" {
		e.cfg.Logger.Info("state", "state", api.StateListening, "message", msg)
	}
}

// listeningMessage is the status message of the listening state.
func (e *Engine) listeningMessage() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.listeningMessageLocked()
}

func (e *Engine) listeningMessageLocked() string {
	base := "Listening. Waiting for SmartLead's first event to confirm it reaches this computer."
	if e.confirmedLocked() {
		base = "Listening. SmartLead's events reach Leadbell."
	}
	if e.catchUp.note == "" {
		return base
	}
	return base + " " + e.catchUp.note
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
