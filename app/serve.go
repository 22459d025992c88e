package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/secrets"
	"github.com/leadbell/leadbell/app/tunnel"
	"github.com/leadbell/leadbell/store"
)

// DBFile is the store's file name inside the data directory.
const DBFile = "leadbell.db"

// SecretsFile is where the API key is kept on machines without a keychain.
const SecretsFile = "secrets.json"

// shutdownGrace bounds how long in-flight deliveries may take to finish.
const shutdownGrace = 10 * time.Second

// Serve runs the engine without a window until ctx ends: the receiver on the
// tunnel, the UI and JSON API on cfg.UIAddr. ready is called with the UI's
// address once both listen. On return every acknowledged event is on disk,
// the store is closed, and an ephemeral URL's webhook has been deleted.
func Serve(ctx context.Context, cfg Config, assets fs.FS, ready func(uiURL string)) error {
	cfg.setDefaults()
	log := cfg.Logger

	// The store's lock comes first: a second copy fails here, before it
	// touches the tunnel or the registration.
	st, err := store.Open(filepath.Join(cfg.DataDir, DBFile), store.Options{Timeout: time.Second, Logger: log})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("app: another Leadbell is already running with the data in %s", cfg.DataDir)
	}
	if err != nil {
		return err
	}
	defer st.Close()

	tun, err := openTunnel(cfg)
	if err != nil {
		return err
	}
	defer tun.Close()

	eng, err := NewEngine(cfg, st, secrets.NewFile(filepath.Join(cfg.DataDir, SecretsFile)), tun)
	if err != nil {
		return err
	}
	uiLn, err := net.Listen("tcp", cfg.UIAddr)
	if err != nil {
		return fmt.Errorf("app: unable to serve the UI on %s: %w", cfg.UIAddr, err)
	}

	uiCtx, stopUI := context.WithCancel(context.Background())
	defer stopUI()
	apiSrv := api.New(api.Config{Store: st, Broker: eng.Broker(), Control: eng, Status: eng.Status, Assets: assets, Logger: log})
	uiServer := &http.Server{
		Handler:           api.HostCheck(apiSrv.Handler()),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return uiCtx },
	}
	hookServer := newHookServer(eng.Receiver())

	errc := make(chan error, 2)
	go func() { errc <- serveUntilClosed(uiServer, uiLn) }()
	go func() { errc <- serveUntilClosed(hookServer, tun.Listener()) }()
	uiURL := "http://" + uiLn.Addr().String()
	log.Info("serving", "ui", uiURL, "tunnel", tun.Name())
	if ready != nil {
		ready(uiURL)
	}

	runCtx, stopRun := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { eng.Run(runCtx); close(done) }()

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	stopRun()
	<-done

	// Finish the deliveries in flight, then close the streams and the UI.
	grace, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hookServer.Shutdown(grace); err != nil {
		log.Warn("app: deliveries still in flight at shutdown", "error", err)
	}
	stopUI()
	if err := uiServer.Shutdown(grace); err != nil {
		log.Warn("app: UI requests still open at shutdown", "error", err)
	}
	if tun.Ephemeral() && eng.api() != nil {
		if err := eng.Deregister(grace); err != nil {
			log.Warn("app: unable to delete the webhook of an ephemeral URL", "error", err)
		}
	}
	if err := st.Close(); err != nil {
		return err
	}
	return serveErr
}

// newHookServer serves the receiver with limits suited to a public URL:
// slow or huge requests cannot hold a connection for long.
func newHookServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
	}
}

func serveUntilClosed(s *http.Server, ln net.Listener) error {
	if err := s.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("app: server stopped: %w", err)
	}
	return nil
}

func openTunnel(cfg Config) (tunnel.Tunnel, error) {
	switch cfg.Tunnel {
	case "", "none":
		return tunnel.Local(cfg.Listen, cfg.PublicURL)
	case "ngrok":
		return nil, tunnel.ErrNgrokUnavailable
	default:
		return nil, fmt.Errorf("app: unknown tunnel %q (ngrok or none)", cfg.Tunnel)
	}
}
