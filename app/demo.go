package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"path/filepath"

	"github.com/leadbell/leadbell/app/secrets"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
)

// Simulate points cfg at a built-in SmartLead simulator, which keeps a
// realistic stream of events going until ctx ends or stop is called.
// Everything SmartLead would do happens over real HTTP on this machine;
// nothing needs an account. Serve or Desktop then runs the demo.
func Simulate(ctx context.Context, cfg *Config, stream simulator.StreamOptions) (stop func(), err error) {
	cfg.SetDefaults()
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	sim := simulator.NewServer(simulator.Options{Secret: hex.EncodeToString(secret), Logger: cfg.Logger})
	cfg.SmartLeadURL = sim.URL()
	cfg.APIKey = sim.APIKey()
	cfg.WebhookSecret = hex.EncodeToString(secret)
	cfg.Tunnel = "none"
	cfg.PublicURL = ""
	cfg.Demo = true
	// The demo's key is the simulator's: keep it beside the demo's data,
	// never in the keychain where the user's own key lives.
	cfg.Secrets = secrets.NewFile(filepath.Join(cfg.DataDir, "secrets.json"))

	ctx, cancel := context.WithCancel(ctx)
	go func() { _ = sim.Run(ctx, stream) }()
	return func() { cancel(); sim.Close() }, nil
}
