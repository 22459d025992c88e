package engine

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/secrets"
	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/tunnel"
	"github.com/leadbell/leadbell/app/webhook"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// settingsDoc is the user's settings.
var settingsDoc = store.Doc[settings.Settings]("settings")

// errSignedOut answers calls that need SmartLead while no key is set.
var errSignedOut = fmt.Errorf("app: not signed in: %w", api.ErrSignedOut)

// loadSettings reads the saved settings (defaults on first run); the
// command line's --campaign and --events win over them for this run.
func (e *Engine) loadSettings() error {
	s := settings.Default()
	if _, err := settingsDoc.Load(e.store, &s); err != nil {
		return fmt.Errorf("app: unable to read the settings: %w", err)
	}
	if len(e.cfg.Campaigns) > 0 {
		s.Scope = settings.Scope{Campaigns: slices.Clone(e.cfg.Campaigns), Level: settings.LevelCampaigns}
	}
	if e.cfg.Scope != "" {
		s.Scope.Level, s.Scope.ClientID = e.cfg.Scope, e.cfg.ClientID
		if e.cfg.Scope != settings.LevelCampaigns {
			s.Scope.All, s.Scope.Campaigns = true, []string{}
		}
	}
	if len(e.cfg.Events) > 0 {
		s.Events = slices.Clone(e.cfg.Events)
	}
	if e.cfg.NgrokDomain != "" {
		s.NgrokDomain = e.cfg.NgrokDomain
	}
	e.settings = s
	return nil
}

// NotificationSettings is the notification part of the settings, as they
// are now.
func (e *Engine) NotificationSettings() settings.Notifications {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.settings.Notifications
}

// Settings is GET /api/settings.
func (e *Engine) Settings() api.Settings {
	e.mu.Lock()
	s, key := e.settings, e.acct.key
	e.mu.Unlock()
	out := api.Settings{Settings: s, SignedIn: key != "", SecretStorage: e.secrets.Kind()}
	if len(key) >= 8 {
		out.APIKeyHint = "…" + key[len(key)-4:]
	}
	switch {
	case key == "":
	case key == e.cfg.APIKey:
		out.APIKeySource = "environment"
	default:
		out.APIKeySource = "stored"
	}
	if tok, err := e.secrets.Get(secrets.NgrokToken); (err == nil && tok != "") || os.Getenv("NGROK_AUTHTOKEN") != "" {
		out.NgrokTokenSet = true
	}
	if e.cfg.PublicURL != "" {
		out.PublicURL, out.PublicURLSource = e.cfg.PublicURL, "flag"
	}
	if e.cfg.Tunnel != "" && !e.cfg.Demo {
		out.TunnelSource = "flag"
	}
	e.mu.Lock()
	out.OtherWebhooks = slices.Clone(e.view.others)
	e.mu.Unlock()
	if out.OtherWebhooks == nil {
		out.OtherWebhooks = []api.OtherWebhook{}
	}
	return out
}

// UpdateSettings is PUT /api/settings. A new scope or new events are
// registered at SmartLead at once.
func (e *Engine) UpdateSettings(ctx context.Context, u settings.Update) (api.Settings, error) {
	e.mu.Lock()
	old := e.settings
	e.mu.Unlock()
	if u.NgrokDomain != nil {
		// Checked when saved, not at the next start: a typo must not keep
		// Leadbell from being reached.
		d, err := tunnel.NormalizeDomain(*u.NgrokDomain)
		if err != nil {
			return api.Settings{}, fmt.Errorf("%w: the ngrok domain must be a name such as leads-jane.ngrok-free.app", api.ErrInvalid)
		}
		u.NgrokDomain = &d
	}
	next, err := old.Apply(u)
	if err != nil {
		return api.Settings{}, fmt.Errorf("%w: %w", api.ErrInvalid, err)
	}
	if u.NgrokToken != nil {
		if *u.NgrokToken == "" {
			err = e.secrets.Delete(secrets.NgrokToken)
		} else {
			err = e.secrets.Set(secrets.NgrokToken, *u.NgrokToken)
		}
		if err != nil {
			return api.Settings{}, err
		}
	}
	if err := settingsDoc.Put(e.store, next); err != nil {
		return api.Settings{}, fmt.Errorf("app: unable to save the settings: %w", err)
	}
	e.mu.Lock()
	e.settings = next
	e.mu.Unlock()
	switch {
	case u.NgrokToken != nil || old.PublicURL != next.PublicURL || old.NgrokDomain != next.NgrokDomain:
		e.retunnelSoon() // a new way to be reached: the instance starts again
	case !sameScope(old.Scope, next.Scope) || !sameTypes(old.Events, next.Events):
		e.reconnect()
	}
	return e.Settings(), nil
}

// sameScope reports whether two scopes register the same webhooks.
func sameScope(a, b settings.Scope) bool {
	return a.All == b.All && slices.Equal(a.Campaigns, b.Campaigns) &&
		a.EffectiveLevel() == b.EffectiveLevel() && a.ClientID == b.ClientID
}

// retunnelSoon asks the instance to start again with the tunnel the
// settings now describe (see Instance.Run).
func (e *Engine) retunnelSoon() {
	select {
	case e.tun.restart <- struct{}{}:
	default:
	}
}

// SignIn checks key live at SmartLead, keeps it, and connects with it. Its
// errors are the client's (smartlead.ErrUnauthorized, ErrNoAPIAccess,
// ErrUnreachable), which never contain the key.
func (e *Engine) SignIn(ctx context.Context, key string) error {
	if key == "" {
		return fmt.Errorf("%w: the API key is empty", smartlead.ErrUnauthorized)
	}
	opts := e.cfg.Client
	opts.Logger = e.cfg.Logger
	if err := smartlead.NewClient(e.cfg.SmartLeadURL, key, opts).ValidateKey(ctx); err != nil {
		return err
	}
	e.mu.Lock()
	old := e.acct.key
	e.mu.Unlock()
	if old != "" && old != key {
		// Another account: take this install's webhooks off the old one.
		if err := e.Deregister(ctx); err != nil {
			e.cfg.Logger.Warn("unable to delete the old account's webhooks", "error", err)
		}
	}
	if err := e.secrets.Set(secrets.APIKey, key); err != nil {
		return fmt.Errorf("app: unable to keep the API key: %w", err)
	}
	e.setKey(key)
	e.reconnect()
	return nil
}

// SignOut deletes this install's webhooks at SmartLead and forgets the key.
func (e *Engine) SignOut(ctx context.Context) error {
	if e.api() != nil {
		if err := e.Deregister(ctx); err != nil {
			e.cfg.Logger.Warn("unable to delete the webhooks at sign-out", "error", err)
		}
	}
	if err := e.secrets.Delete(secrets.APIKey); err != nil {
		return err
	}
	e.setKey("")
	e.reconnect()
	return nil
}

// Campaigns lists the account's campaigns, live from SmartLead.
func (e *Engine) Campaigns(ctx context.Context) ([]smartlead.Campaign, error) {
	c := e.api()
	if c == nil {
		return nil, errSignedOut
	}
	return c.Campaigns(ctx)
}

// Replay runs a stored event through the pipeline again.
func (e *Engine) Replay(ctx context.Context, id string) (event.Event, bool, error) {
	ev, err := e.store.Event(id)
	if err != nil {
		return event.Event{}, false, err
	}
	if ev.VerifiedBy == "" { // recovered from the message history, never delivered
		return event.Event{}, false, fmt.Errorf("%w: this reply was recovered from SmartLead's message history, not delivered to the webhook, so there is no delivery to replay", api.ErrInvalid)
	}
	return e.in.receiver.Replay(ctx, ev)
}

// Answers counts the webhook's answers since this engine started: the
// receiver's (through the delivery log) and the hook listener's limits'.
func (e *Engine) Answers() api.Answers {
	out := api.Answers{ByStatus: map[string]uint64{}}
	for status, n := range e.in.log.Counts() {
		out.ByStatus[strconv.Itoa(status)] += n
	}
	if e.in.stats != nil {
		lim, cut := e.in.stats()
		for status, n := range map[int]uint64{
			http.StatusServiceUnavailable:    lim.Shed,
			http.StatusRequestTimeout:        lim.SlowBodies,
			http.StatusRequestEntityTooLarge: lim.TooLarge,
			http.StatusBadRequest:            lim.Unreadable,
		} {
			if n > 0 {
				out.ByStatus[strconv.Itoa(status)] += n
			}
		}
		out.ConnectionsCut = cut
	}
	return out
}

// RecentDeliveries is this run's answers, newest first, from memory.
func (e *Engine) RecentDeliveries(limit int) []webhook.Delivery { return e.in.log.Recent(limit) }

var _ api.Control = (*Engine)(nil)
