package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/leadbell/leadbell/app/api"
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
	in := &Instance{
		demo:   cfg.Demo,
		Engine: eng,
		Store:  st,
		API:    api.New(api.Config{Store: st, Broker: eng.Broker(), Control: eng, Status: status, Assets: assets, Logger: cfg.Logger}).Handler(),
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
		log.Warn("app: deliveries still in flight at shutdown", "error", err)
	}
	if in.tunnel.Ephemeral() && in.Engine.SignedIn() {
		if err := in.Engine.Deregister(grace); err != nil {
			log.Warn("app: unable to delete the webhook of an ephemeral URL", "error", err)
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

// UI is the local UI and JSON API served over loopback TCP.
type UI struct {
	// URL opens the UI in a browser: the address with ?token=, which sets
	// the browser's cookie (see api.TokenGate).
	URL    string
	server *http.Server
	stop   context.CancelFunc
	errc   chan error
}

// ServeUI serves h (the local API and UI) on addr, with the Host check and
// the UI token kept in dataDir (made the first time). An address that is
// not loopback is served, since the user asked for it, with a warning.
func ServeUI(addr, dataDir string, h http.Handler, log *slog.Logger) (*UI, error) {
	token, err := api.LoadToken(dataDir)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("app: unable to serve the UI on %s: %w", addr, err)
	}
	tcp := ln.Addr().(*net.TCPAddr)
	port := strconv.Itoa(tcp.Port)
	// On loopback the Host must be too (no DNS rebinding). An address the
	// user chose beyond it is reached by other names, so there only the
	// token guards the API, and the log says so.
	handler := api.HostCheck(api.TokenGate(token, api.CookieName(port), h))
	host := tcp.IP.String()
	switch {
	case tcp.IP.IsUnspecified():
		host = "127.0.0.1" // every address: this computer's is one
		fallthrough
	case !tcp.IP.IsLoopback():
		log.Warn("app: the inbox and its API are served beyond this computer: anyone on the network with the link can read your replies",
			"ui", ln.Addr().String())
		handler = api.TokenGate(token, api.CookieName(port), h)
	}
	ctx, stop := context.WithCancel(context.Background())
	ui := &UI{
		URL:  "http://" + net.JoinHostPort(host, port) + "/?token=" + token,
		stop: stop,
		errc: make(chan error, 1),
		server: &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: 10 * time.Second,
			BaseContext:       func(net.Listener) context.Context { return ctx },
		},
	}
	go func() { ui.errc <- serveUntilClosed(ui.server, ln) }()
	return ui, nil
}

// Stop ends the event streams and then the server.
func (ui *UI) Stop() {
	ui.stop()
	grace, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	ui.server.Shutdown(grace)
}

// Run runs the engine until ctx ends or a server fails (extra lists more
// servers to watch), and returns that failure.
func (in *Instance) Run(ctx context.Context, extra ...<-chan error) error {
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { in.Engine.Run(runCtx); close(done) }()
	defer func() { stop(); <-done }()
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
		cfg.Logger.Error("app: unable to open the ngrok tunnel; running without one", "error", err)
		local, lerr := tunnel.Local(cfg.Listen, "")
		if lerr != nil {
			return nil, nil, fmt.Errorf("app: unable to open the ngrok tunnel (%w), nor listen locally: %w", err, lerr)
		}
		return local, err, nil
	default:
		return nil, nil, fmt.Errorf("app: unknown tunnel %q (ngrok or none)", cfg.Tunnel)
	}
}
