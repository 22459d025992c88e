package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/leadbell/leadbell/app"
	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/app/smartlead"
)

// runOptions are the flags that say how this process runs, beside the
// engine's configuration.
type runOptions struct {
	// gui opens the window for leadbell demo.
	gui bool
	// readyFD, when above 2, is a file descriptor inherited from the
	// caller on which one JSON line says where the UI is served, once it
	// is: {"ui": base URL, "link": the URL that opens it, with the token}.
	// Programs read it instead of the sentence on standard output.
	readyFD int
}

// parseServe reads serve's flags (design.md's table), each falling back to
// its environment variable; flags win.
func parseServe(name string, args []string, stderr io.Writer, demo bool) (app.Config, runOptions, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg       app.Config
		campaigns listFlag
		events    string
	)
	defaultTunnel := "" // ngrok when an authtoken is set or kept, else none
	if demo {
		defaultTunnel = "none"
	}
	fs.StringVar(&cfg.DataDir, "data", env("LEADBELL_DATA", defaultDataDir(demo)), "where leadbell.db lives")
	fs.StringVar(&cfg.UIAddr, "ui", "127.0.0.1:8787", "address of the local UI and JSON API")
	fs.StringVar(&cfg.Tunnel, "tunnel", defaultTunnel, "ngrok or none (default: ngrok when NGROK_AUTHTOKEN is set or a token is kept)")
	fs.StringVar(&cfg.NgrokDomain, "ngrok-domain", os.Getenv("NGROK_DOMAIN"), "a reserved/static ngrok domain")
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:8788", "where the receiver listens with --tunnel none")
	fs.StringVar(&cfg.PublicURL, "public-url", os.Getenv("LEADBELL_PUBLIC_URL"), "the public base URL that reaches --listen (--tunnel none)")
	fs.StringVar(&cfg.SmartLeadURL, "smartlead-url", env("SMARTLEAD_API_URL", app.DefaultSmartLeadURL), "SmartLead API base")
	fs.StringVar(&cfg.APIKey, "api-key", "", "SmartLead API key (or SMARTLEAD_API_KEY)")
	fs.StringVar(&cfg.WebhookSecret, "webhook-secret", "", "shared secret for signature / secret_key checks (or LEADBELL_WEBHOOK_SECRET)")
	fs.Var(&campaigns, "campaign", "a campaign id to subscribe to (repeatable; none means all campaigns)")
	fs.StringVar(&events, "events", "", "comma-separated event types to subscribe to (default: all seven)")
	fs.StringVar(&cfg.Scope, "scope", "", "how to register at SmartLead: campaigns (one webhook per campaign, the default), account (one for all campaigns) or client (one for an agency client's campaigns, with --client-id)")
	fs.StringVar(&cfg.ClientID, "client-id", "", "the SmartLead client id for --scope client")
	fs.DurationVar(&cfg.Watchdog, "watchdog", 5*time.Minute, "how often to confirm the registration and round-trip a self-test")
	fs.BoolVar(&cfg.StartFresh, "start-fresh", false, "if the data file is damaged, keep it aside (as leadbell.db.damaged-<time>) and start with an empty inbox")
	var run runOptions
	if demo {
		fs.BoolVar(&run.gui, "gui", false, "open the desktop window instead of serving a browser UI")
	}
	fs.IntVar(&run.readyFD, "ready-fd", 0, "a file descriptor (3 or above) on which to write one JSON line, {\"ui\", \"link\"}, once the UI is served: for programs that start Leadbell")
	if err := fs.Parse(args); err != nil {
		return cfg, run, err
	}
	if fs.NArg() > 0 {
		return cfg, run, fmt.Errorf("%s takes no arguments, got %q", name, fs.Arg(0))
	}
	// A secret on the command line can be read by every user of this
	// computer (ps, /proc/<pid>/cmdline): say so, and how to avoid it.
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "api-key":
			fmt.Fprintln(stderr, "leadbell: warning: --api-key can be read by other users of this computer (in the process list); set SMARTLEAD_API_KEY, or sign in from the window, which keeps the key in the keychain.")
		case "webhook-secret":
			fmt.Fprintln(stderr, "leadbell: warning: --webhook-secret can be read by other users of this computer (in the process list); set LEADBELL_WEBHOOK_SECRET instead.")
		}
	})
	// Secrets are read from the environment after parsing so that their
	// values never show up in -h output.
	if cfg.APIKey == "" {
		cfg.APIKey = os.Getenv("SMARTLEAD_API_KEY")
	}
	if cfg.WebhookSecret == "" {
		cfg.WebhookSecret = os.Getenv("LEADBELL_WEBHOOK_SECRET")
	}
	cfg.Campaigns = campaigns
	if err := settings.ValidateLevel(cfg.Scope, cfg.ClientID); err != nil {
		return cfg, run, fmt.Errorf("--scope: %s", strings.TrimPrefix(err.Error(), "settings: "))
	}
	if cfg.Scope != "" && cfg.Scope != settings.LevelCampaigns && len(campaigns) > 0 {
		return cfg, run, fmt.Errorf("--campaign needs --scope campaigns: an %s webhook covers every campaign", cfg.Scope)
	}
	if events != "" {
		for _, name := range strings.Split(events, ",") {
			t, ok := smartlead.ParseEventType(strings.TrimSpace(name))
			if !ok {
				return cfg, run, fmt.Errorf("unknown event type %q", name)
			}
			cfg.Events = append(cfg.Events, t)
		}
	}
	return cfg, run, nil
}

func env(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	if v == "" {
		return fmt.Errorf("empty value")
	}
	*l = append(*l, v)
	return nil
}
