package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/broker"
	"github.com/leadbell/leadbell/app/desk"
	"github.com/leadbell/leadbell/app/engine"
	"github.com/leadbell/leadbell/app/secrets"
	"github.com/leadbell/leadbell/app/tunnel"
	"github.com/leadbell/leadbell/app/webhook"
	"github.com/leadbell/leadbell/store"
)

// DBFile is the store's file name inside the data directory.
const DBFile = "leadbell.db"

// shutdownGrace bounds how long in-flight deliveries may take to finish.
const shutdownGrace = 10 * time.Second

// ErrAlreadyRunning means another Leadbell holds the data directory.
var ErrAlreadyRunning = errors.New("app: another Leadbell is already running")

// Instance is one running engine: the store (locked), the tunnel with the
// receiver on it, and the API handler for a window or a browser.
type Instance struct {
	Engine *engine.Engine
	Store  *store.Store
	// Desk sends answers and wakes snoozed replies; Back carries the
	// replies back from a snooze, for notifications; Changes every event
	// changed after it was stored, for the window.
	Desk    *desk.Desk
	Back    *broker.Broker
	Changes *broker.Broker
	// API is the local JSON API and UI, without the Host check: serve it
	// over TCP wrapped in api.HostCheck, or hand it to the window.
	API    http.Handler
	tunnel tunnel.Tunnel
	demo   bool // against the built-in simulator
	hooks  *webhook.Server
	errc   chan error
}

// Start locks the store and starts receiving. The store's lock comes
// first: a second copy fails here with ErrAlreadyRunning, before it touches
// the tunnel or the registration.
func Start(cfg Config, assets fs.FS) (*Instance, error) {
	cfg.SetDefaults()
	st, err := openStore(cfg)
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%w with the data in %s", ErrAlreadyRunning, cfg.DataDir)
	}
	if err != nil {
		return nil, err
	}
	sec := cfg.Secrets
	if sec == nil {
		sec = secrets.Open(cfg.DataDir)
	}
	var running atomic.Pointer[engine.Engine] // for the tunnel's state changes
	tun, problem, err := openTunnel(cfg, st, sec, func(s tunnel.State, err error) {
		if e := running.Load(); e != nil {
			e.TunnelState(s, err)
		}
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	eng, err := engine.New(cfg, st, sec, tun)
	running.Store(eng)
	if err != nil {
		tun.Close()
		st.Close()
		return nil, err
	}
	if problem != nil {
		// Offline at login: try again later by itself. A refused token or
		// domain waits for the user.
		retry := errors.Is(problem, tunnel.ErrUnreachable) || errors.Is(problem, tunnel.ErrTimeout)
		eng.SetTunnelProblem("SmartLead cannot reach this computer yet: "+tunnel.Describe(problem)+" Check the ngrok token and domain.", retry)
	}
	status := func() api.Status {
		st := eng.Status()
		st.Demo = cfg.Demo
		return st
	}
	changes, back := broker.New(), broker.New()
	dsk := desk.New(desk.Config{Store: st, Client: eng.Client, New: eng.Broker(), Stored: eng.Broker().Publish,
		Changed: changes.Publish, Woken: back.Publish, Logger: cfg.Logger.With("component", "desk")})
	in := &Instance{
		demo:    cfg.Demo,
		Engine:  eng,
		Store:   st,
		Desk:    dsk,
		Back:    back,
		Changes: changes,
		API: api.New(api.Config{Store: st, Broker: eng.Broker(), Control: eng, Desk: dsk, Changes: changes,
			Status: status, Assets: assets, Logger: cfg.Logger}).Handler(),
		tunnel: tun,
		errc:   make(chan error, 1),
	}
	hooks := webhook.NewServer(webhook.ServerConfig{
		Handler:  eng.Receiver(),
		Listener: tun.Listener(),
		Limits:   webhook.LimitConfig{Path: eng.HookPath(), Reject: st.Reject, Logger: cfg.Logger},
		// ngrok appends the address it saw: the only one to believe.
		TrustForwarded: tun.Name() == "ngrok",
	})
	in.hooks = hooks
	eng.SetHookStats(hooks.Stats)
	go func() { in.errc <- hooks.Serve() }()
	return in, nil
}

// Failed reports a receiver that stopped by itself.
func (in *Instance) Failed() <-chan error { return in.errc }

// ErrRetunnel is what Run returns when the settings changed how Leadbell
// is reached (an ngrok token, a public address): the caller starts the
// instance again, which opens the tunnel they now describe.
var ErrRetunnel = errors.New("app: the tunnel settings changed")

// Stop finishes the deliveries in flight, deletes an ephemeral URL's
// webhook and closes the store: every acknowledged event is on disk.
func (in *Instance) Stop() error {
	grace, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	log := in.Engine.Logger()
	if err := in.hooks.Shutdown(grace); err != nil {
		log.Warn("deliveries still in flight at shutdown", "error", err)
	}
	if in.tunnel.Ephemeral() && in.Engine.SignedIn() {
		if err := in.Engine.Deregister(grace); err != nil {
			log.Warn("unable to delete the webhook of an ephemeral URL", "error", err)
		}
	}
	in.tunnel.Close()
	return in.Store.Close()
}

// Serve runs the engine without a window until ctx ends: the receiver on the
// tunnel, the UI and JSON API on cfg.UIAddr. ready is called with the UI's
// address once both listen. On return every acknowledged event is on disk,
// the store is closed, and an ephemeral URL's webhook has been deleted.
func Serve(ctx context.Context, cfg Config, assets fs.FS, ready func(uiURL string)) error {
	cfg.SetDefaults()
	sess, err := NewSession(cfg, assets)
	if err != nil {
		return err
	}
	ui, err := ServeUI(cfg.UIAddr, cfg.DataDir, sess, cfg.Logger)
	if err != nil {
		sess.Stop()
		return err
	}
	cfg.Logger.Info("serving", "ui", ui.URL, "tunnel", sess.Current().tunnel.Name())
	if ready != nil {
		ready(ui.URL)
	}
	err = sess.Run(ctx, ui.errc)
	ui.Stop()
	if e := sess.Stop(); e != nil && err == nil {
		err = e
	}
	return err
}

// Run runs the engine until ctx ends or a server fails (extra lists more
// servers to watch), and returns that failure.
func (in *Instance) Run(ctx context.Context, extra ...<-chan error) error {
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	deskDone := make(chan struct{})
	go func() { in.Engine.Run(runCtx); close(done) }()
	go func() { in.Desk.Run(runCtx); close(deskDone) }()
	defer func() { stop(); <-done; <-deskDone }()
	var failed <-chan error
	if len(extra) > 0 {
		failed = extra[0]
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-in.errc:
		return err
	case err := <-failed:
		return err
	case <-in.Engine.Retunnel():
		return ErrRetunnel
	}
}

func serveUntilClosed(s *http.Server, ln net.Listener) error {
	if err := s.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("app: server stopped: %w", err)
	}
	return nil
}
