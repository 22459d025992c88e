package engine

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/app/smartlead"
)

// registerCampaigns holds one webhook per campaign in scope: every campaign
// that can still send (all but ARCHIVED ones) for an all-campaigns scope,
// else the chosen ones that still exist. Campaigns created later get
// theirs at the next pass; a deleted or archived campaign's webhook is
// forgotten (deleted first, when the campaign is still there).
func (e *Engine) registerCampaigns(ctx context.Context, mode regMode, scope settings.Scope, prev, want Registration) (Registration, error) {
	next := Registration{URL: want.URL, Events: want.Events, Categories: want.Categories}
	campaigns, err := e.api().Campaigns(ctx)
	if err != nil {
		return next, err
	}
	targets := campaignTargets(campaigns, scope)
	trusted := mode == regLight && sameRegistration(prev, want)
	var others []api.OtherWebhook
	for i, c := range targets {
		if !trusted && len(targets) > 1 {
			e.startingNote(fmt.Sprintf("Connecting your campaigns to Leadbell: %d of %d…", i+1, len(targets)))
		}
		old := prev.campaignHook(c.ID)
		if trusted && old != nil {
			next.Hooks = append(next.Hooks, *old)
			continue
		}
		ref, found, err := e.ensureCampaign(ctx, mode, c.ID, old, want)
		if err != nil {
			return next, err
		}
		next.Hooks = append(next.Hooks, ref)
		for _, h := range found {
			others = append(others, otherWebhook(h, c.Name))
		}
	}
	if mode != regLight {
		e.setOthers(others)
	}
	// Forget the hooks of campaigns no longer targeted. One whose campaign
	// still exists (archived, or out of scope) is deleted; one whose
	// campaign is gone went with it.
	for _, old := range prev.Hooks {
		if old.global() || slices.ContainsFunc(next.Hooks, func(h HookRef) bool { return h.ID == old.ID }) {
			continue
		}
		if slices.ContainsFunc(campaigns, func(c smartlead.Campaign) bool { return c.ID == old.CampaignID }) {
			if err := e.deleteHook(ctx, old); err != nil {
				e.cfg.Logger.Warn("unable to delete the webhook of a campaign out of scope", "campaign_id", old.CampaignID, "error", err)
				next.Hooks = append(next.Hooks, old) // try again next time
			}
		}
	}
	return next, nil
}

// campaignTargets are the campaigns scope covers, as they exist now.
func campaignTargets(campaigns []smartlead.Campaign, scope settings.Scope) []smartlead.Campaign {
	var out []smartlead.Campaign
	for _, c := range campaigns {
		switch {
		case scope.All || len(scope.Campaigns) == 0:
			if c.Status != smartlead.CampaignArchived {
				out = append(out, c)
			}
		case slices.Contains(scope.Campaigns, c.ID):
			out = append(out, c)
		}
	}
	return out
}

// ensureCampaign makes one campaign's webhook right from one listing of
// its webhooks (the per-campaign API has no call to read one): it keeps or
// saves ours, adopts one that points at this install but was never saved
// (a crash between create and save) and deletes any further such strays.
// It also returns the campaign's webhooks that are other tools'.
func (e *Engine) ensureCampaign(ctx context.Context, mode regMode, campaign string, prev *HookRef, want Registration) (HookRef, []smartlead.Webhook, error) {
	hooks, err := e.api().CampaignWebhooks(ctx, campaign)
	if err != nil {
		return HookRef{}, nil, err
	}
	mine := "/hooks/" + e.in.token
	var keep *smartlead.Webhook
	var strays, others []smartlead.Webhook
	for i, h := range hooks {
		ours := strings.HasSuffix(h.URL, mine) || h.Name == webhookName && prev != nil && h.ID == prev.ID
		switch {
		case prev != nil && h.ID == prev.ID:
			if keep != nil {
				strays = append(strays, *keep)
			}
			keep = &hooks[i]
		case ours && keep == nil:
			keep = &hooks[i]
		case ours:
			strays = append(strays, h)
		default:
			others = append(others, h)
		}
	}
	for _, h := range strays {
		if err := e.api().DeleteCampaignWebhook(ctx, h); err != nil && !errors.Is(err, smartlead.ErrNotFound) {
			e.cfg.Logger.Warn("unable to delete a stray webhook", "webhook_id", h.ID, "error", err)
		}
	}
	ref := HookRef{CampaignID: campaign}
	if keep != nil {
		ref.ID = keep.ID
	}
	w := want.hookFor(ref)
	if keep != nil && mode != regRepair && current(*keep, w) {
		return ref, others, nil
	}
	saved, err := e.api().SaveCampaignWebhook(ctx, w)
	if errors.Is(err, smartlead.ErrNotFound) && w.ID != "" {
		w.ID = "" // deleted between the list and the save: make it again
		saved, err = e.api().SaveCampaignWebhook(ctx, w)
	}
	if err != nil {
		return HookRef{}, nil, err
	}
	verb := "updated"
	if keep == nil {
		verb = "created"
	}
	e.cfg.Logger.Info("webhook "+verb, "webhook_id", saved.ID, "campaign_id", campaign)
	ref.ID = saved.ID
	return ref, others, nil
}

// campaignHook is the registration's webhook of a campaign, if any.
func (r Registration) campaignHook(campaign string) *HookRef {
	for i := range r.Hooks {
		if !r.Hooks[i].global() && r.Hooks[i].CampaignID == campaign {
			return &r.Hooks[i]
		}
	}
	return nil
}

// otherWebhook describes another tool's webhook for Settings: where it
// sends to is shown by host only.
func otherWebhook(h smartlead.Webhook, campaignName string) api.OtherWebhook {
	host := ""
	if u, err := url.Parse(h.URL); err == nil {
		host = u.Hostname()
	}
	level := string(h.Level())
	if h.Level() == smartlead.LevelUser {
		level = settings.LevelAccount // the word Settings uses for it
	}
	o := api.OtherWebhook{Name: h.Name, Level: level, CampaignID: h.CampaignID, Host: host}
	if h.CampaignID != "" {
		o.CampaignName = campaignName
	}
	return o
}
