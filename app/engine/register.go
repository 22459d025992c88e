package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// Registering at SmartLead. By default Leadbell holds one webhook per
// campaign through the per-campaign API, the only one that code run
// against real accounts uses (docs/smartlead-api.md). The user may choose
// one account-wide (user-level) or client-level webhook instead, through
// the global API of SmartLead's docs; an account that does not offer it
// falls back to per-campaign webhooks, and the status says so.
//
// A pass costs calls against SmartLead's limits (60 a minute, 1,000 an
// hour), so they come in three depths:
//
//   - regLight, every watchdog period: list the campaigns (one call),
//     register on new ones, forget archived and deleted ones; a campaign
//     whose webhook is already registered as wanted costs nothing;
//   - regFull, at connect and every fullEvery: also list each campaign's
//     webhooks (repairing one deleted or changed behind Leadbell's back,
//     and noting other tools' webhooks for Settings) and read the
//     account's lead categories;
//   - regRepair, after a gap (package catchup): save every webhook again,
//     since SmartLead disables a webhook whose deliveries keep failing and
//     the per-campaign list does not say so (it has no is_active).
type regMode int

const (
	regLight regMode = iota
	regFull
	regRepair
)

// fullEvery is how often a watchdog check makes a full pass.
const fullEvery = time.Hour

// registrationDoc is the saved Registration.
var registrationDoc = store.Doc[Registration]("registration")

// webhookName is how Leadbell's webhooks are named at SmartLead.
const webhookName = "Leadbell"

// Registration is what Leadbell has registered at SmartLead, kept in the
// store so that a restart reuses or updates it instead of adding another.
type Registration struct {
	URL        string       `json:"url"`
	Events     []event.Type `json:"events"`
	Categories []string     `json:"categories,omitempty"`
	Hooks      []HookRef    `json:"hooks"`
}

// HookRef names one webhook at SmartLead: a campaign's (CampaignID set,
// per-campaign API) or a global one (user or client level).
type HookRef struct {
	ID         string `json:"id"`
	CampaignID string `json:"campaign_id,omitempty"`
	ClientID   string `json:"client_id,omitempty"`
	Global     bool   `json:"global,omitempty"`
}

func (h HookRef) webhook() smartlead.Webhook {
	w := smartlead.Webhook{ID: h.ID, ClientID: h.ClientID}
	if !h.Global {
		w.CampaignID = h.CampaignID
	}
	return w
}

// global reports whether h was made through the global API. Registrations
// saved before HookRef.Global existed made every campaign-less hook there.
func (h HookRef) global() bool { return h.Global || h.CampaignID == "" }

// register makes SmartLead hold the webhooks this install wants, at the
// depth mode asks for.
// A light pass is made full once fullEvery has passed since the last.
func (e *Engine) register(ctx context.Context, mode regMode) error {
	e.regs.mu.Lock()
	defer e.regs.mu.Unlock()
	e.mu.Lock()
	prev, scope, events := e.reg, e.settings.Scope, e.settings.Events
	e.mu.Unlock()
	if mode == regLight && (time.Since(e.regs.lastFull) >= fullEvery || len(prev.Categories) == 0) {
		mode = regFull
	}
	if mode != regLight {
		e.regs.lastFull = time.Now()
	}
	want := Registration{URL: e.HookURL(), Events: slices.Clone(events), Categories: e.categories(ctx, mode, prev)}
	var err error
	var next Registration
	switch scope.EffectiveLevel() {
	case settings.LevelAccount, settings.LevelClient:
		next, err = e.registerGlobal(ctx, mode, scope, prev, want)
		if errors.Is(err, smartlead.ErrUnsupported) {
			e.setWarning(warnScopeFallback, "SmartLead does not offer an account-wide webhook on this account, so Leadbell registered one per campaign instead.")
			next, err = e.registerCampaigns(ctx, mode, settings.Scope{All: true}, prev, want)
		} else {
			e.setWarning(warnScopeFallback, "")
		}
	default:
		e.setWarning(warnScopeFallback, "")
		next, err = e.registerCampaigns(ctx, mode, scope, prev, want)
	}
	if err != nil {
		return e.saveRegistration(next, err)
	}
	// Webhooks of the previous registration that are no longer wanted (a
	// new scope, another level) go.
	for _, old := range prev.Hooks {
		if slices.ContainsFunc(next.Hooks, func(h HookRef) bool { return h.ID == old.ID }) {
			continue
		}
		if err := e.deleteHook(ctx, old); err != nil {
			e.cfg.Logger.Warn("unable to delete an old webhook", "webhook_id", old.ID, "error", err)
		}
	}
	return e.saveRegistration(next, nil)
}

// categories are the lead categories to register with: the account's own,
// read on a full pass (and kept from the last one otherwise), or
// SmartLead's defaults when they cannot be read. SmartLead refuses an empty
// list, and filters out deliveries about leads in a category the webhook
// lacks, so every category goes in.
func (e *Engine) categories(ctx context.Context, mode regMode, prev Registration) []string {
	if mode == regLight && len(prev.Categories) > 0 {
		return prev.Categories
	}
	cats, err := e.api().Categories(ctx)
	if err != nil || len(cats) == 0 {
		if err != nil && ctx.Err() == nil {
			e.cfg.Logger.Warn("unable to read the lead categories; registering with SmartLead's defaults", "error", err)
		}
		cats = smartlead.DefaultCategories
	}
	names := make([]string, 0, len(cats))
	for _, c := range cats {
		names = append(names, c.Name)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// hookFor is the webhook want describes where ref is.
func (want Registration) hookFor(ref HookRef) smartlead.Webhook {
	w := ref.webhook()
	w.Name, w.URL, w.EventTypes, w.Categories, w.Enabled = webhookName, want.URL, want.Events, want.Categories, true
	return w
}

// current reports whether SmartLead's webhook got already matches want:
// the URL, the event types, and every wanted category.
func current(got, want smartlead.Webhook) bool {
	return got.URL == want.URL && got.Enabled && sameTypes(got.EventTypes, want.EventTypes) &&
		!slices.ContainsFunc(want.Categories, func(c string) bool { return !slices.Contains(got.Categories, c) })
}

// sameRegistration reports whether a saved registration already asks for
// what want does, so that a light pass can trust it.
func sameRegistration(a, b Registration) bool {
	return a.URL == b.URL && sameTypes(a.Events, b.Events) && slices.Equal(a.Categories, b.Categories)
}

// deleteHook deletes one webhook; one already gone is no error.
func (e *Engine) deleteHook(ctx context.Context, h HookRef) error {
	var err error
	if h.global() {
		err = e.api().DeleteWebhook(ctx, h.ID)
	} else {
		err = e.api().DeleteCampaignWebhook(ctx, h.webhook())
	}
	if errors.Is(err, smartlead.ErrNotFound) || errors.Is(err, smartlead.ErrUnsupported) {
		return nil
	}
	return err
}

// saveRegistration keeps reg (also when registering failed half way, so the
// hooks made so far are reused, not doubled) and returns cause.
func (e *Engine) saveRegistration(reg Registration, cause error) error {
	e.mu.Lock()
	if cause != nil {
		// Keep what the previous registration knew of the targets not reached.
		for _, h := range e.reg.Hooks {
			if !slices.ContainsFunc(reg.Hooks, func(n HookRef) bool { return n.ID == h.ID }) {
				reg.Hooks = append(reg.Hooks, h)
			}
		}
		if reg.URL == "" {
			reg.URL, reg.Events, reg.Categories = e.reg.URL, e.reg.Events, e.reg.Categories
		}
	}
	e.reg = reg
	ids := make([]string, len(reg.Hooks))
	for i, h := range reg.Hooks {
		ids[i] = h.ID
	}
	e.view.status.WebhookID = strings.Join(ids, ",")
	e.view.status.Registered = cause == nil && len(reg.Hooks) > 0
	e.mu.Unlock()
	if err := registrationDoc.Put(e.store, reg); err != nil {
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
		if err := e.deleteHook(ctx, h); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return e.saveRegistration(Registration{}, nil)
}

func sameTypes(a, b []event.Type) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(t event.Type) bool { return !slices.Contains(b, t) })
}
