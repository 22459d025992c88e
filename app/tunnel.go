package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/leadbell/leadbell/app/engine"
	"github.com/leadbell/leadbell/app/secrets"
	"github.com/leadbell/leadbell/app/tunnel"
	"github.com/leadbell/leadbell/store"
)

// openTunnel opens the tunnel cfg asks for. "" picks ngrok when an ngrok
// authtoken is kept (from the settings) or in NGROK_AUTHTOKEN, else none,
// at the public address of --public-url or else the settings'. An ngrok
// tunnel that cannot open (offline, a token refused, a domain mistyped)
// is no reason not to start: the instance then runs on a local listener,
// and problem is why, so the user can fix it in Settings.
func openTunnel(cfg Config, st *store.Store, sec secrets.Store, onState func(tunnel.State, error)) (tun tunnel.Tunnel, problem, err error) {
	token, err := sec.Get(secrets.NgrokToken)
	if err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return nil, nil, err
	}
	if token == "" {
		token = os.Getenv("NGROK_AUTHTOKEN")
	}
	saved, err := engine.LoadSettings(st)
	if err != nil {
		return nil, nil, err
	}
	kind := cfg.Tunnel
	if kind == "" {
		kind = "none"
		if token != "" {
			kind = "ngrok"
		}
	}
	switch kind {
	case "none":
		public := cfg.PublicURL
		if public == "" {
			public = saved.PublicURL
		}
		tun, err := tunnel.Local(cfg.Listen, public)
		return tun, nil, err
	case "ngrok":
		domain := cfg.NgrokDomain
		if domain == "" {
			domain = saved.NgrokDomain
		}
		timeout := cmp.Or(cfg.NgrokConnectTimeout, tunnel.DefaultConnectTimeout)
		ctx, cancel := context.WithTimeout(context.Background(), timeout+5*time.Second)
		defer cancel()
		tun, err := tunnel.Ngrok(ctx, tunnel.NgrokOptions{Authtoken: token, Domain: domain, Logger: cfg.Logger, OnState: onState,
			ServerAddr: cfg.NgrokServerAddr, ConnectTimeout: timeout})
		if err == nil {
			return tun, nil, nil
		}
		cfg.Logger.Error("unable to open the ngrok tunnel; running without one", "error", err)
		local, lerr := tunnel.Local(cfg.Listen, "")
		if lerr != nil {
			return nil, nil, fmt.Errorf("app: unable to open the ngrok tunnel (%w), nor listen locally: %w", err, lerr)
		}
		return local, err, nil
	default:
		return nil, nil, fmt.Errorf("app: unknown tunnel %q (ngrok or none)", cfg.Tunnel)
	}
}
