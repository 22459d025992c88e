package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/app/smartlead"
)

// registrationKey is the settings key of the saved Registration.
const registrationKey = "registration"

// webhookName is how Leadbell's webhooks are named at SmartLead.
const webhookName = "Leadbell"

// Registration is what Leadbell has registered at SmartLead, kept in the
// store so that a restart reuses or updates it instead of adding another.
type Registration struct {
	URL    string                `json:"url"`
	Events []smartlead.EventType `json:"events"`
	// PerCampaign is set when the account only has per-campaign webhooks:
	// an all-campaigns scope is then one webhook per campaign.
	PerCampaign bool      `json:"per_campaign,omitempty"`
	Hooks       []HookRef `json:"hooks"`
}

// HookRef names one webhook at SmartLead.
type HookRef struct {
	ID         string `json:"id"`
	CampaignID string `json:"campaign_id,omitempty"`
}

// register makes SmartLead hold exactly the webhooks this install wants,
// reusing, updating (a new URL, a disabled hook) or recreating (deleted
// behind our back) what the saved registration names.
func (e *Engine) register(ctx context.Context) error {
	e.mu.Lock()
	prev, scope, events := e.reg, e.settings.Scope, e.settings.Events
	e.mu.Unlock()

	next := Registration{URL: e.HookURL(), Events: events, PerCampaign: prev.PerCampaign}
	targets, err := e.targets(ctx, scope, next.PerCampaign)
	if err != nil {
		return err
	}
	for i := 0; i < len(targets); i++ {
		ref, err := e.ensure(ctx, targets[i], prev.hook(targets[i]), next)
		if errors.Is(err, smartlead.ErrCampaignRequired) && targets[i] == "" {
			// Only per-campaign webhooks exist on this account.
			next.PerCampaign = true
			if targets, err = e.targets(ctx, scope, true); err != nil {
				return err
			}
			i = -1
			continue
		}
		if err != nil {
			return e.saveRegistration(next, err)
		}
		next.Hooks = append(next.Hooks, ref)
	}
	for _, old := range prev.Hooks {
		if !slices.ContainsFunc(next.Hooks, func(h HookRef) bool { return h.ID == old.ID }) {
			err := e.api().DeleteWebhook(ctx, smartlead.Webhook{ID: old.ID, CampaignID: old.CampaignID})
			if err != nil && !errors.Is(err, smartlead.ErrNotFound) {
				e.cfg.Logger.Warn("app: unable to delete an old webhook", "webhook_id", old.ID, "error", err)
			}
		}
	}
	return e.saveRegistration(next, nil)
}

// targets lists the campaigns to hold a webhook for; "" is a user-level one.
func (e *Engine) targets(ctx context.Context, scope settings.Scope, perCampaign bool) ([]string, error) {
	if !scope.All && len(scope.Campaigns) > 0 {
		return scope.Campaigns, nil
	}
	if !perCampaign {
		return []string{""}, nil
	}
	campaigns, err := e.api().Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(campaigns))
	for _, c := range campaigns {
		ids = append(ids, c.ID)
	}
	return ids, nil
}

// ensure makes one webhook right and returns it.
func (e *Engine) ensure(ctx context.Context, campaign string, prev *HookRef, want Registration) (HookRef, error) {
	w := smartlead.Webhook{CampaignID: campaign, Name: webhookName, URL: want.URL, EventTypes: want.Events, Enabled: true}
	if campaign != "" && e.api().Family() != "spec" {
		ref, err := e.ensureListed(ctx, w, prev)
		if !errors.Is(err, smartlead.ErrUnsupported) {
			return ref, err
		}
	}
	if prev != nil {
		w.ID = prev.ID
		got, err := e.api().GetWebhook(ctx, w)
		switch {
		case err == nil && current(got, w):
			return *prev, nil
		case err == nil:
			return e.update(ctx, w, *prev)
		case !errors.Is(err, smartlead.ErrNotFound):
			return HookRef{}, err
		}
		w.ID = "" // gone behind our back: make it again
	}
	return e.create(ctx, w)
}

// ensureListed does ensure's work from one listing of a campaign's webhooks
// (the live API has no call to read one): it keeps or repairs ours, adopts
// one that points at this install but was never saved (a crash between
// create and save), and deletes any further such strays.
func (e *Engine) ensureListed(ctx context.Context, w smartlead.Webhook, prev *HookRef) (HookRef, error) {
	hooks, err := e.api().ListWebhooks(ctx, w.CampaignID)
	if err != nil {
		return HookRef{}, err
	}
	mine := "/hooks/" + e.token
	var keep *smartlead.Webhook
	var strays []smartlead.Webhook
	for i, h := range hooks {
		switch {
		case prev != nil && h.ID == prev.ID:
			if keep != nil {
				strays = append(strays, *keep)
			}
			keep = &hooks[i]
		case strings.HasSuffix(h.URL, mine) && keep == nil:
			keep = &hooks[i]
		case strings.HasSuffix(h.URL, mine):
			strays = append(strays, h)
		}
	}
	for _, h := range strays {
		if err := e.api().DeleteWebhook(ctx, h); err != nil && !errors.Is(err, smartlead.ErrNotFound) {
			e.cfg.Logger.Warn("app: unable to delete a stray webhook", "webhook_id", h.ID, "error", err)
		}
	}
	if keep == nil {
		return e.create(ctx, w)
	}
	ref := HookRef{ID: keep.ID, CampaignID: w.CampaignID}
	w.ID = keep.ID
	if current(*keep, w) {
		return ref, nil
	}
	return e.update(ctx, w, ref)
}

func (e *Engine) create(ctx context.Context, w smartlead.Webhook) (HookRef, error) {
	w.ID = ""
	created, err := e.api().CreateWebhook(ctx, w)
	if err != nil {
		return HookRef{}, err
	}
	e.cfg.Logger.Info("app: webhook created", "webhook_id", created.ID, "campaign_id", w.CampaignID)
	return HookRef{ID: created.ID, CampaignID: w.CampaignID}, nil
}

// update points a webhook at the current URL and events and re-enables it;
// one that vanished meanwhile is made again.
func (e *Engine) update(ctx context.Context, w smartlead.Webhook, ref HookRef) (HookRef, error) {
	_, err := e.api().UpdateWebhook(ctx, w)
	switch {
	case err == nil:
		e.cfg.Logger.Info("app: webhook updated", "webhook_id", w.ID, "campaign_id", w.CampaignID)
		return ref, nil
	case errors.Is(err, smartlead.ErrNotFound):
		return e.create(ctx, w)
	}
	return HookRef{}, err
}

// current reports whether SmartLead's webhook got already matches want.
func current(got, want smartlead.Webhook) bool {
	return got.URL == want.URL && got.Enabled && sameTypes(got.EventTypes, want.EventTypes)
}

// saveRegistration keeps reg (also when registering failed half way, so the
// hooks made so far are reused, not doubled) and returns cause.
func (e *Engine) saveRegistration(reg Registration, cause error) error {
	e.mu.Lock()
	if cause != nil {
		// Keep what the previous registration knew of the targets not reached.
		for _, h := range e.reg.Hooks {
			if reg.hook(h.CampaignID) == nil {
				reg.Hooks = append(reg.Hooks, h)
			}
		}
	}
	e.reg = reg
	ids := make([]string, len(reg.Hooks))
	for i, h := range reg.Hooks {
		ids[i] = h.ID
	}
	e.status.WebhookID = strings.Join(ids, ",")
	e.status.Registered = cause == nil && len(reg.Hooks) > 0
	e.mu.Unlock()
	if err := e.store.PutJSON(registrationKey, reg); err != nil {
		return fmt.Errorf("app: unable to save the registration: %w", err)
	}
	return cause
}

// Deregister deletes every webhook of this install at SmartLead.
func (e *Engine) Deregister(ctx context.Context) error {
	e.mu.Lock()
	reg := e.reg
	e.mu.Unlock()
	var errs []error
	for _, h := range reg.Hooks {
		err := e.api().DeleteWebhook(ctx, smartlead.Webhook{ID: h.ID, CampaignID: h.CampaignID})
		if err != nil && !errors.Is(err, smartlead.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return e.saveRegistration(Registration{}, nil)
}

func (r Registration) hook(campaign string) *HookRef {
	for i := range r.Hooks {
		if r.Hooks[i].CampaignID == campaign {
			return &r.Hooks[i]
		}
	}
	return nil
}

func sameTypes(a, b []smartlead.EventType) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(t smartlead.EventType) bool { return !slices.Contains(b, t) })
}
