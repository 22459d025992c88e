// Package settings holds what the user chooses in Leadbell's settings: the
// scope and events of the webhook, the tunnel's static domain, and how
// notifications behave. Secrets (the API key, the ngrok token) are not here:
// they live in the keychain or its fallback (package secrets).
package settings

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/leadbell/leadbell/app/smartlead"
)

// Settings is the user's configuration. Its JSON form is part of the local
// API (GET/PUT /api/settings).
type Settings struct {
	NgrokDomain   string                `json:"ngrok_domain"`
	Scope         Scope                 `json:"scope"`
	Events        []smartlead.EventType `json:"events"`
	Notifications Notifications         `json:"notifications"`
}

// Scope is which campaigns the webhook covers.
type Scope struct {
	All       bool     `json:"all"`
	Campaigns []string `json:"campaigns"`
}

// Notifications says which events raise a desktop notification, and when.
type Notifications struct {
	Types      map[smartlead.EventType]bool `json:"types"`
	QuietHours QuietHours                   `json:"quiet_hours"`
	Sound      bool                         `json:"sound"`
}

// QuietHours is a daily window ("22:00" to "07:00", local time) without
// notifications.
type QuietHours struct {
	Enabled bool   `json:"enabled"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

// Default is what a new install starts with: all campaigns, all six events,
// notifications for replies, opens off, bounces and unsubscribes off.
func Default() Settings {
	return Settings{
		Scope:  Scope{All: true, Campaigns: []string{}},
		Events: slices.Clone(smartlead.EventTypes),
		Notifications: Notifications{
			Types: map[smartlead.EventType]bool{
				smartlead.EventReplied: true, smartlead.EventSent: false, smartlead.EventOpened: false,
				smartlead.EventClicked: false, smartlead.EventBounced: false, smartlead.EventUnsubscribed: false,
				smartlead.EventOther: false,
			},
			QuietHours: QuietHours{Start: "22:00", End: "07:00"},
			Sound:      true,
		},
	}
}

// Update is a partial change: nil fields stay as they are.
type Update struct {
	NgrokDomain   *string               `json:"ngrok_domain"`
	NgrokToken    *string               `json:"ngrok_token"` // write-only; "" clears it
	Scope         *Scope                `json:"scope"`
	Events        []smartlead.EventType `json:"events"`
	Notifications *Notifications        `json:"notifications"`
}

var clock = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// Apply returns s changed by u, or an error that says what is wrong.
func (s Settings) Apply(u Update) (Settings, error) {
	if u.NgrokDomain != nil {
		s.NgrokDomain = *u.NgrokDomain
	}
	if u.Scope != nil {
		if !u.Scope.All && len(u.Scope.Campaigns) == 0 {
			return s, fmt.Errorf("settings: choose at least one campaign, or all campaigns")
		}
		s.Scope = Scope{All: u.Scope.All, Campaigns: slices.Clone(u.Scope.Campaigns)}
		if s.Scope.All || s.Scope.Campaigns == nil {
			s.Scope.Campaigns = []string{}
		}
	}
	if u.Events != nil {
		if len(u.Events) == 0 {
			return s, fmt.Errorf("settings: choose at least one event type")
		}
		for _, t := range u.Events {
			if !slices.Contains(smartlead.EventTypes, t) {
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
		s.Notifications = n
	}
	return s, nil
}
