package catchup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
)

// One catch-up: re-trigger, let the re-deliveries land, read the histories
// (history.go), and say so in the status.

// Run catches up on the gap [from, to]: the watchdog's catch-ups call it
// through Checked; it is exported for a catch-up on demand.
func (c *Catcher) Run(ctx context.Context, from, to time.Time) error {
	client := c.host.Client()
	if client == nil {
		return nil
	}
	c.guard.catchingUp(from, to)
	log := c.log.With("from", from.Format(time.RFC3339), "to", to.Format(time.RFC3339))
	log.Info("catching up")
	if err := c.host.RepairWebhooks(ctx); err != nil {
		return c.failed(ctx, err)
	}
	campaigns, all, err := c.campaigns(ctx, client)
	if err != nil {
		return c.failed(ctx, err)
	}
	c.host.Note(fmt.Sprintf("Catching up on %d campaign%s…", len(campaigns), plural(len(campaigns))))
	retriggered, err := c.retrigger(ctx, client, campaigns, from, to)
	if err != nil {
		return c.failed(ctx, err)
	}
	if retriggered > 0 {
		c.settle(ctx)
	}
	stored, err := c.historyReplies(ctx, client, all, from)
	if err != nil {
		return c.failed(ctx, err)
	}
	log.Info("caught up", "campaigns_retriggered", retriggered, "replies_from_history", stored)
	c.host.Note("")
	return nil
}

// failed says in the status that a catch-up stopped, and returns err. A
// catch-up stopped because the engine is starting over says nothing.
func (c *Catcher) failed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		c.host.Note("")
		return err
	}
	c.log.Warn("catch-up stopped", "error", err)
	why := ""
	switch {
	case errors.Is(err, smartlead.ErrRateLimited):
		why = " SmartLead is rate limiting this API key."
	case errors.Is(err, smartlead.ErrUnreachable):
		why = " SmartLead cannot be reached (no network?)."
	}
	c.host.Note("Missed events are not caught up yet." + why + " Leadbell will try again.")
	return err
}

// campaigns lists the campaigns to ask for re-deliveries, those most
// likely to have some first (active, then paused), at most MaxCampaigns of
// them, and the set of every campaign in scope.
func (c *Catcher) campaigns(ctx context.Context, client *smartlead.Client) ([]smartlead.Campaign, map[string]bool, error) {
	var list []smartlead.Campaign
	if scope := c.host.Scope(); scope != nil {
		for _, id := range scope {
			list = append(list, smartlead.Campaign{ID: id})
		}
	} else {
		var err error
		if list, err = client.Campaigns(ctx); err != nil {
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
	if len(list) > c.opts.MaxCampaigns {
		c.log.Info("re-triggering only the first campaigns", "campaigns", len(list), "max", c.opts.MaxCampaigns)
		list = list[:c.opts.MaxCampaigns]
	}
	return list, all, nil
}

// retrigger asks SmartLead to re-deliver each campaign's failed events of
// [from, to]. An account without the call, or a campaign gone meanwhile,
// is skipped; running into the rate limit or losing the network stops.
func (c *Catcher) retrigger(ctx context.Context, client *smartlead.Client, campaigns []smartlead.Campaign, from, to time.Time) (int, error) {
	n := 0
	for _, camp := range campaigns {
		err := client.RetriggerFailed(ctx, camp.ID, from, to)
		switch {
		case err == nil:
			n++
		case errors.Is(err, smartlead.ErrUnsupported):
			c.log.Info("this account cannot re-trigger failed deliveries; reading message histories only")
			return n, nil
		case errors.Is(err, smartlead.ErrNotFound):
		case ctx.Err() != nil, errors.Is(err, smartlead.ErrRateLimited), errors.Is(err, smartlead.ErrUnreachable):
			return n, err
		default:
			c.log.Warn("unable to re-trigger failed deliveries", "campaign_id", camp.ID, "error", err)
		}
	}
	return n, nil
}

// settle waits for re-triggered deliveries to land: until no event arrived
// for Quiet, or SettleMax.
func (c *Catcher) settle(ctx context.Context) {
	deadline := time.Now().Add(c.opts.SettleMax)
	last, _ := c.st.LastID()
	quietSince := time.Now()
	tick := time.NewTicker(c.opts.Poll)
	defer tick.Stop()
	for time.Now().Before(deadline) && time.Since(quietSince) < c.opts.Quiet {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if id, err := c.st.LastID(); err == nil && id != last {
			last, quietSince = id, time.Now()
		}
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
