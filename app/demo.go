package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io/fs"

	"github.com/leadbell/leadbell/app/smartlead/smartleadtest"
)

// Demo runs Serve against the built-in SmartLead simulator, which keeps a
// realistic stream of events going until ctx ends. Everything SmartLead
// would do happens over real HTTP on this machine; nothing needs an account.
func Demo(ctx context.Context, cfg Config, assets fs.FS, stream smartleadtest.StreamOptions, ready func(uiURL string)) error {
	cfg.setDefaults()
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	sim := smartleadtest.NewServer(smartleadtest.Options{Secret: hex.EncodeToString(secret), Logger: cfg.Logger})
	defer sim.Close()

	cfg.SmartLeadURL = sim.URL()
	cfg.APIKey = sim.APIKey()
	cfg.WebhookSecret = hex.EncodeToString(secret)
	cfg.Tunnel = "none"
	cfg.PublicURL = ""

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = sim.Run(ctx, stream) }()
	return Serve(ctx, cfg, assets, ready)
}
