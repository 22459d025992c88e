// Package engine is what keeps replies arriving from SmartLead: the
// connect flow (sign in, register, self-test), the status, the watchdog
// that proves deliveries still arrive (wake and network changes
// included), when to catch up after a gap (package catchup does it),
// retention, and what the local API asks of it (settings, sign-in,
// replay). The app package wires it to the store, the tunnel, the
// receiver's server and the window.
package engine

import (
	"log/slog"
	"time"

	"github.com/leadbell/leadbell/app/engine/catchup"
	"github.com/leadbell/leadbell/app/secrets"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
)

// DefaultSmartLeadURL is SmartLead's API base.
const DefaultSmartLeadURL = "https://server.smartlead.ai/api/v1"

// Config is everything `leadbell serve` is told on its command line.
type Config struct {
	DataDir       string // where leadbell.db lives
	UIAddr        string // the local UI and JSON API
	Tunnel        string // "ngrok" or "none"
	NgrokDomain   string
	Listen        string // the receiver's address with --tunnel none
	PublicURL     string // the public base URL reaching Listen
	SmartLeadURL  string
	APIKey        string
	WebhookSecret string
	Campaigns     []string // overrides the settings' scope; empty: as set
	// Scope overrides the settings' registration level (campaigns,
	// account or client; "" as set), with ClientID for client.
	Scope    string
	ClientID string
	Events   []event.Type // overrides the settings' events; empty: as set
	Watchdog time.Duration

	// SelfTestTimeout bounds one self-test round trip (default 15s).
	SelfTestTimeout time.Duration
	// RetryDelay is the first wait after SmartLead could not be reached;
	// it doubles up to five minutes (default 5s).
	RetryDelay time.Duration

	// NgrokServerAddr and NgrokConnectTimeout replace ngrok's connect
	// address and the connect's time limit (a private ngrok endpoint, or
	// a test); zero means ngrok's own and 20 s.
	NgrokServerAddr     string
	NgrokConnectTimeout time.Duration

	// CatchUp bounds the catch-up after downtime; zero fields are its
	// defaults (catchup.Options).
	CatchUp catchup.Options

	// Client tunes the SmartLead client (its pacing, retries); zero is
	// SmartLead's own limits.
	Client smartlead.ClientOptions

	// StartFresh says the user agreed to start with an empty inbox when
	// the data file is damaged: it is kept aside (store.MoveAside), never
	// deleted. Without it a damaged file is a DamagedError.
	StartFresh bool

	// Demo runs against the built-in SmartLead simulator (set by Simulate).
	Demo bool
	// Secrets keeps the API key and ngrok token; nil opens the OS keychain,
	// or a file in DataDir where there is none.
	Secrets secrets.Store

	Logger *slog.Logger
}

// SetDefaults fills in what c leaves zero.
func (c *Config) SetDefaults() {
	if c.UIAddr == "" {
		c.UIAddr = "127.0.0.1:8787"
	}
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8788"
	}
	if c.SmartLeadURL == "" {
		c.SmartLeadURL = DefaultSmartLeadURL
	}
	if c.Watchdog <= 0 {
		c.Watchdog = 5 * time.Minute
	}
	if c.SelfTestTimeout <= 0 {
		c.SelfTestTimeout = 15 * time.Second
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}
