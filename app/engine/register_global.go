package engine

import (
	"context"
	"errors"

	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/app/smartlead"
)

// registerGlobal holds one user-level (account) or client-level webhook
// through the global API. It fails with smartlead.ErrUnsupported when the
// account does not offer that API (its routes answer as missing), and the
// caller falls back to per-campaign webhooks.
func (e *Engine) registerGlobal(ctx context.Context, mode regMode, scope settings.Scope, prev, want Registration) (Registration, error) {
	next := Registration{URL: want.URL, Events: want.Events, Categories: want.Categories}
	ref := HookRef{Global: true}
	if scope.EffectiveLevel() == settings.LevelClient {
		ref.ClientID = scope.ClientID
	}
	e.setOthers(nil) // only campaign lists show other tools' webhooks
	var old *HookRef
	for i, h := range prev.Hooks {
		if h.global() && h.ClientID == ref.ClientID {
			old = &prev.Hooks[i]
			break
		}
	}
	w := want.hookFor(ref)
	if old != nil {
		w.ID = old.ID
		got, err := e.api().GetWebhook(ctx, old.ID)
		switch {
		case err == nil && mode != regRepair && current(got, w):
			next.Hooks = append(next.Hooks, *old)
			return next, nil
		case err == nil:
			if _, err := e.api().UpdateWebhook(ctx, w); err == nil {
				e.cfg.Logger.Info("webhook updated", "webhook_id", w.ID, "level", string(w.Level()))
				next.Hooks = append(next.Hooks, *old)
				return next, nil
			} else if !errors.Is(err, smartlead.ErrNotFound) {
				return next, err
			}
		case !errors.Is(err, smartlead.ErrNotFound):
			return next, err
		}
		w.ID = "" // gone behind our back: make it again
	}
	created, err := e.api().CreateWebhook(ctx, w)
	if err != nil {
		return next, err
	}
	e.cfg.Logger.Info("webhook created", "webhook_id", created.ID, "level", string(w.Level()))
	ref.ID = created.ID
	next.Hooks = append(next.Hooks, ref)
	return next, nil
}
