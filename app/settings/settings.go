// Package settings holds what the user chooses in Leadbell's settings: the
// scope and events of the webhook, the tunnel's static domain, how
// notifications behave and how long history is kept. Secrets (the API key, the ngrok token) are not here:
// they live in the keychain or its fallback (package secrets).
package settings

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/leadbell/leadbell/event"
)

// Settings is the user's configuration. Its JSON form is part of the local
// API (GET/PUT /api/settings).
type Settings struct {
	NgrokDomain string `json:"ngrok_domain"`
	// PublicURL is the public address of the receiver the user provides
	// (a tunnel or reverse proxy of their own) when there is no ngrok
	// token: https://host[/path]. Empty means none.
	PublicURL     string        `json:"public_url"`
	Scope         Scope         `json:"scope"`
	Events        []event.Type  `json:"events"`
	Notifications Notifications `json:"notifications"`
	Retention     Retention     `json:"retention"`
}

// Retention is how many days each kind of high-volume event is kept; 0
// keeps it forever. Replies are kept until the user deletes them, and
// bounces and unsubscribes are kept too: they are few and say who must not
// be written to again.
type Retention struct {
	SentDays    int `json:"sent_days"`
	OpenedDays  int `json:"opened_days"`
	ClickedDays int `json:"clicked_days"`
}

// Retention defaults: opens and sends are the bulk of the events and
// matter for a few weeks; a click says more about a lead and is kept
// longer.
const (
	DefaultSentDays    = 90
	DefaultOpenedDays  = 90
	DefaultClickedDays = 180
	// MaxRetentionDays is the longest retention other than forever: ten
	// years.
	MaxRetentionDays = 3650
)

// Days returns how many days events of type t are kept, and false for the
// types that are kept forever whatever the settings (replies, bounces,
// unsubscribes and others) or whose setting is 0.
func (r Retention) Days(t event.Type) (int, bool) {
	var days int
	switch t {
	case event.Sent:
		days = r.SentDays
	case event.Opened:
		days = r.OpenedDays
	case event.Clicked:
		days = r.ClickedDays
	}
	return days, days > 0
}

// Cutoffs returns, for each type that is not kept forever, the time before
// which its events are old enough to delete, as of now: the argument of
// store.Prune.
func (r Retention) Cutoffs(now time.Time) map[event.Type]time.Time {
	cuts := map[event.Type]time.Time{}
	for _, t := range []event.Type{event.Sent, event.Opened, event.Clicked} {
		if days, ok := r.Days(t); ok {
			cuts[t] = now.AddDate(0, 0, -days)
		}
	}
	return cuts
}

// validate says what is wrong with r, in a sentence.
func (r Retention) validate() error {
	for _, d := range []struct {
		what string
		days int
	}{{"sent emails", r.SentDays}, {"opens", r.OpenedDays}, {"clicks", r.ClickedDays}} {
		if d.days < 0 || d.days > MaxRetentionDays {
			return fmt.Errorf("settings: keep %s between 1 and %d days, or 0 for forever", d.what, MaxRetentionDays)
		}
	}
	return nil
}

// Scope is which campaigns the webhooks cover, and through which API.
type Scope struct {
	All       bool     `json:"all"`
	Campaigns []string `json:"campaigns"`
	// Level is how Leadbell registers: LevelCampaigns (the default, and
	// the only API attested by code run against real accounts) holds one
	// webhook per campaign; LevelAccount one user-level webhook for all
	// campaigns; LevelClient one for an agency client's campaigns
	// (ClientID). The last two use SmartLead's global webhook API.
	Level    string `json:"level"`
	ClientID string `json:"client_id,omitempty"`
}

// Registration levels of Scope.Level.
const (
	LevelCampaigns = "campaigns"
	LevelAccount   = "account"
	LevelClient    = "client"
)

// EffectiveLevel is s.Level, LevelCampaigns when unset (settings saved
// before the choice existed).
func (s Scope) EffectiveLevel() string {
	if s.Level == "" {
		return LevelCampaigns
	}
	return s.Level
}

// ValidateLevel says what is wrong with a level and client id, in a
// sentence.
func ValidateLevel(level, clientID string) error {
	switch level {
	case "", LevelCampaigns, LevelAccount:
		return nil
	case LevelClient:
		if strings.TrimSpace(clientID) == "" {
			return fmt.Errorf("settings: a client webhook needs the client's id")
		}
		return nil
	}
	return fmt.Errorf("settings: scope level is campaigns, account or client")
}

// ValidatePublicURL checks a public address: an absolute https (or http)
// URL without query or fragment. It returns it without a trailing slash.
func ValidatePublicURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("settings: the public address must look like https://leads.example.com")
	}
	return strings.TrimRight(s, "/"), nil
}

// Notifications says which events raise a desktop notification, and when.
type Notifications struct {
	Types      map[event.Type]bool `json:"types"`
	QuietHours QuietHours          `json:"quiet_hours"`
	Sound      bool                `json:"sound"`
	// Triage says how a reply pops up by what Leadbell makes of it
	// (event.TriageClasses): PopNow, PopNormal, PopSilent or PopNever. A
	// class not named pops up as PopNormal.
	Triage map[string]string `json:"triage"`
	// UrgentInQuietHours lets PopNow replies through the quiet hours.
	UrgentInQuietHours bool `json:"urgent_in_quiet_hours"`
}

// How a class of replies pops up.
const (
	PopNow    = "now"    // at once, on its own, never held or grouped
	PopNormal = "normal" // as any event: held briefly, grouped in bursts
	PopSilent = "silent" // as normal, without a sound
	PopNever  = "never"  // in the inbox only
)

// DefaultTriagePops: a lead who is interested pops up at once; an
// unsubscribe request quietly; out-of-office and automatic replies never.
func DefaultTriagePops() map[string]string {
	return map[string]string{
		"interested": PopNow, "question": PopNormal, "not_now": PopNormal, "not_interested": PopNormal,
		"unsubscribe": PopSilent, "out_of_office": PopNever, "wrong_person": PopNormal, "auto_reply": PopNever,
	}
}

// Pop is how a reply triaged as class pops up.
func (n Notifications) Pop(class string) string {
	if p, ok := n.Triage[class]; ok {
		return p
	}
	if p, ok := DefaultTriagePops()[class]; ok && n.Triage == nil {
		return p
	}
	return PopNormal
}

// QuietHours is a daily window ("22:00" to "07:00", local time) without
// notifications.
type QuietHours struct {
	Enabled bool   `json:"enabled"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

// Default is what a new install starts with: all campaigns, one webhook
// each, all seven event types,
// notifications for replies, opens off, bounces and unsubscribes off; sends
// and opens kept 90 days, clicks 180.
func Default() Settings {
	return Settings{
		Scope:  Scope{All: true, Campaigns: []string{}, Level: LevelCampaigns},
		Events: slices.Clone(event.Types),
		Notifications: Notifications{
			Types: map[event.Type]bool{
				event.Replied: true, event.Sent: false, event.Opened: false,
				event.Clicked: false, event.Bounced: false, event.Unsubscribed: false,
				event.CategoryUpdated: false, event.Other: false,
			},
			QuietHours: QuietHours{Start: "22:00", End: "07:00"},
			Sound:      true,
			Triage:     DefaultTriagePops(),
		},
		Retention: Retention{SentDays: DefaultSentDays, OpenedDays: DefaultOpenedDays, ClickedDays: DefaultClickedDays},
	}
}

// Update is a partial change: nil fields stay as they are.
type Update struct {
	NgrokDomain   *string        `json:"ngrok_domain"`
	NgrokToken    *string        `json:"ngrok_token"` // write-only; "" clears it
	PublicURL     *string        `json:"public_url"`
	Scope         *Scope         `json:"scope"`
	Events        []event.Type   `json:"events"`
	Notifications *Notifications `json:"notifications"`
	Retention     *Retention     `json:"retention"`
}

var clock = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// Apply returns s changed by u, or an error that says what is wrong.
func (s Settings) Apply(u Update) (Settings, error) {
	if u.NgrokDomain != nil {
		s.NgrokDomain = *u.NgrokDomain
	}
	if u.PublicURL != nil {
		pub, err := ValidatePublicURL(*u.PublicURL)
		if err != nil {
			return s, err
		}
		s.PublicURL = pub
	}
	if u.Scope != nil {
		level := u.Scope.Level
		if level == "" {
			level = s.Scope.EffectiveLevel()
		}
		if err := ValidateLevel(level, u.Scope.ClientID); err != nil {
			return s, err
		}
		if level == LevelCampaigns && !u.Scope.All && len(u.Scope.Campaigns) == 0 {
			return s, fmt.Errorf("settings: choose at least one campaign, or all campaigns")
		}
		s.Scope = Scope{All: u.Scope.All, Campaigns: slices.Clone(u.Scope.Campaigns), Level: level}
		if level == LevelClient {
			s.Scope.ClientID = strings.TrimSpace(u.Scope.ClientID)
		}
		if level != LevelCampaigns {
			s.Scope.All = true // an account or client webhook covers every campaign
		}
		if s.Scope.All || s.Scope.Campaigns == nil {
			s.Scope.Campaigns = []string{}
		}
	}
	if u.Events != nil {
		if len(u.Events) == 0 {
			return s, fmt.Errorf("settings: choose at least one event type")
		}
		for _, t := range u.Events {
			if !slices.Contains(event.Types, t) {
				return s, fmt.Errorf("settings: unknown event type %q", t)
			}
		}
		s.Events = slices.Clone(u.Events)
	}
	if u.Notifications != nil {
		n := *u.Notifications
		if n.QuietHours.Start == "" {
			n.QuietHours.Start = s.Notifications.QuietHours.Start
		}
		if n.QuietHours.End == "" {
			n.QuietHours.End = s.Notifications.QuietHours.End
		}
		if !clock.MatchString(n.QuietHours.Start) || !clock.MatchString(n.QuietHours.End) {
			return s, fmt.Errorf("settings: quiet hours are times like 22:00")
		}
		if n.Types == nil {
			n.Types = s.Notifications.Types
		}
		if n.Triage == nil {
			n.Triage = s.Notifications.Triage
		}
		for class, pop := range n.Triage {
			if !slices.Contains(event.TriageClasses, class) {
				return s, fmt.Errorf("settings: unknown kind of reply %q", class)
			}
			if pop != PopNow && pop != PopNormal && pop != PopSilent && pop != PopNever {
				return s, fmt.Errorf("settings: a reply pops up now, normally, silently or never, not %q", pop)
			}
		}
		s.Notifications = n
	}
	if u.Retention != nil {
		if err := u.Retention.validate(); err != nil {
			return s, err
		}
		s.Retention = *u.Retention
	}
	return s, nil
}
