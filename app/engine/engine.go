package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/broker"
	"github.com/leadbell/leadbell/app/engine/catchup"
	"github.com/leadbell/leadbell/app/secrets"
	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/tunnel"
	"github.com/leadbell/leadbell/app/webhook"
	"github.com/leadbell/leadbell/store"
)

// tokenDoc is the path token of the webhook URL.
var tokenDoc = store.Doc[string]("hook_token")

// errRefused marks a SmartLead answer that retrying cannot change (a bad
// key, a plan without API access): the engine waits for the user instead of
// retrying in a loop.
var errRefused = errors.New("app: smartlead refused the key")

// errUnreachable means SmartLead cannot reach the public address: nothing
// is registered until the user gives one that it can (an ngrok token or
// an address of their own), which restarts the instance.
var errUnreachable = errors.New("app: SmartLead cannot reach this computer")

// Engine connects one Leadbell install to SmartLead and keeps it connected:
// it validates the key, registers the webhook, proves with self-tests that
// deliveries come back through the public URL, and repairs what breaks.
type Engine struct {
	cfg     Config
	store   *store.Store
	secrets secrets.Store
	broker  *broker.Broker
	tunnel  tunnel.Tunnel
	in      inbound
	tun     tunnelWatch
	http    *http.Client
	restart chan struct{} // asks Run to connect again (new key, new scope)
	wake    wakeWatch
	catchUp *catchup.Catcher // after downtime (catchup.go)
	regs    registrations

	mu       sync.Mutex
	acct     account
	settings settings.Settings
	view     statusView
	reg      Registration
	probes   map[string]chan struct{} // self-test nonces awaiting their return
}

// inbound is the receiving side: the receiver at the URL token's path, the
// log of its answers, and the counts of its server's limits.
type inbound struct {
	token    string
	receiver *webhook.Receiver
	log      *webhook.Log
	// stats reports the hook listener's limits: their refusals and the
	// connections cut (set by the app; nil in tests without one).
	stats func() (webhook.LimitStats, uint64)
}

// tunnelWatch is what the engine knows of its tunnel beyond the tunnel.
type tunnelWatch struct {
	// problem says why the tunnel asked for could not be opened (the
	// instance then runs on a local one); "" when it opened.
	problem string
	retry   bool // the problem may pass by itself: try again later
	// restart asks the instance to start again with a new tunnel (an
	// ngrok token or public address changed in Settings).
	restart chan struct{}
}

// registrations makes registration passes (the watchdog's, a catch-up's
// repair) one at a time, so that two never create the same webhook.
type registrations struct {
	mu       sync.Mutex
	lastFull time.Time // the last full registration pass; guarded by mu
}

// account is the signed-in SmartLead account; Engine.mu guards it.
type account struct {
	client *smartlead.Client // nil when signed out
	key    string
}

// statusView is what GET /api/status shows of the connection; Engine.mu
// guards it.
type statusView struct {
	status api.Status
	// confirmed is SmartLead's own proof that it reaches the webhook
	// address (status.go); warnings are the status's, by code; others are
	// other tools' webhooks seen on the last full pass.
	confirmed Confirmation
	warnings  map[string]string
	// note is what the status adds to "listening" while catching up.
	note   string
	others []api.OtherWebhook
}

// signedOutMessage is the status message while no API key is set.
const signedOutMessage = "Not signed in: paste your SmartLead API key in Settings to start receiving events."

// tunnelRetryDelay is how long an instance whose ngrok tunnel could not be
// reached waits before it tries again.
const tunnelRetryDelay = time.Minute

// deliveryLogSize is how many answered deliveries the inspector can show
// from memory.
const deliveryLogSize = 500

// New builds an engine on an open store and tunnel. It creates the
// stable path token on first use. The API key is cfg.APIKey, else the one
// kept in sec from an earlier sign-in.
func New(cfg Config, st *store.Store, sec secrets.Store, tun tunnel.Tunnel) (*Engine, error) {
	cfg.SetDefaults()
	cfg.Logger = cfg.Logger.With("component", "engine")
	token, err := hookToken(st)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cfg:     cfg,
		store:   st,
		secrets: sec,
		broker:  broker.New(),
		tunnel:  tun,
		in:      inbound{token: token},
		tun:     tunnelWatch{restart: make(chan struct{}, 1)},
		http:    &http.Client{Timeout: cfg.SelfTestTimeout},
		restart: make(chan struct{}, 1),
		probes:  make(map[string]chan struct{}),
		view:    statusView{warnings: make(map[string]string)},
		wake:    wakeWatch{addrs: interfaceAddrs},
	}
	e.wake.setDefaults()
	if e.catchUp, err = catchup.New(st, catchUpHost{e}, e.broker.Publish, cfg.CatchUp, cfg.Logger.With("component", "catchup")); err != nil {
		return nil, err
	}
	if err := e.loadSettings(); err != nil {
		return nil, err
	}
	key := cfg.APIKey
	if key == "" {
		if key, err = sec.Get(secrets.APIKey); err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return nil, fmt.Errorf("app: unable to read the API key: %w", err)
		}
	}
	e.setKey(key)
	e.in.receiver = webhook.New(webhook.Config{
		Token:            token,
		Secret:           cfg.WebhookSecret,
		Store:            e.catchUp.Guard(),
		OnStored:         e.broker.Publish,
		OnSelfTest:       e.probeReturned,
		OnDelivery:       e.delivered,
		OnSecretMismatch: e.secretMismatch,
		Logger:           cfg.Logger,
	})
	e.in.log = webhook.NewLog(e.in.receiver, deliveryLogSize)
	if _, err := registrationDoc.Load(st, &e.reg); err != nil {
		return nil, fmt.Errorf("app: unable to read the registration: %w", err)
	}
	if _, err := confirmedDoc.Load(st, &e.view.confirmed); err != nil {
		return nil, fmt.Errorf("app: unable to read the confirmation: %w", err)
	}
	e.view.status = api.Status{
		State:      api.StateStarting,
		Message:    "Starting",
		Tunnel:     tun.Name(),
		WebhookURL: e.HookURL(),
	}
	if key == "" {
		// Known at once: no "Starting" while there is nothing to start.
		e.view.status.State, e.view.status.Message = api.StateSignedOut, signedOutMessage
	}
	return e, nil
}

// hookToken returns the store's path token, creating 256 random bits once.
func hookToken(st *store.Store) (string, error) {
	token, ok, err := tokenDoc.Get(st)
	if err != nil {
		return "", fmt.Errorf("app: unable to read the hook token: %w", err)
	}
	if ok && len(token) >= 32 {
		return token, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("app: unable to make a hook token: %w", err)
	}
	token = hex.EncodeToString(b)
	if err := tokenDoc.Put(st, token); err != nil {
		return "", fmt.Errorf("app: unable to save the hook token: %w", err)
	}
	return token, nil
}

// Broker is the feed of newly stored events.
func (e *Engine) Broker() *broker.Broker { return e.broker }

// Receiver is the webhook handler, to be served on the tunnel's listener.
func (e *Engine) Receiver() http.Handler { return e.in.log }

// setKey makes the client for key ("" signs out).
func (e *Engine) setKey(key string) {
	var c *smartlead.Client
	if key != "" {
		opts := e.cfg.Client
		opts.Logger = e.cfg.Logger
		c = smartlead.NewClient(e.cfg.SmartLeadURL, key, opts)
	}
	e.mu.Lock()
	e.acct.client, e.acct.key = c, key
	e.mu.Unlock()
}

// api is the SmartLead client of the current key, nil when signed out.
func (e *Engine) api() *smartlead.Client {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.acct.client
}

// reconnect asks Run to start over: validate, register, self-test.
func (e *Engine) reconnect() {
	select {
	case e.restart <- struct{}{}:
	default: // one is already pending
	}
}

// HookURL is the URL registered at SmartLead.
func (e *Engine) HookURL() string { return e.tunnel.URL() + "/hooks/" + e.in.token }

// Status is the connection half of GET /api/status.
func (e *Engine) Status() api.Status {
	e.mu.Lock()
	st := e.view.status
	e.statusExtrasLocked(&st)
	e.mu.Unlock()
	// The disk refuses new events: deliveries get 503 until it takes them.
	storageStatus(&st, e.store.Health(), e.store.Failed(), e.cfg.DataDir)
	return st
}

func (e *Engine) setState(state, message string) { e.setProblem(state, message, nil) }

// setProblem is setState for a state that err caused: the message says
// it in words (say), Status.Detail keeps err's own text for Diagnostics.
func (e *Engine) setProblem(state, message string, err error) {
	detail := ""
	if err != nil {
		detail = err.Error()
	}
	e.mu.Lock()
	changed := e.view.status.State != state || e.view.status.Message != message || e.view.status.Detail != detail
	e.view.status.State, e.view.status.Message, e.view.status.Detail = state, message, detail
	e.mu.Unlock()
	if changed {
		if err != nil {
			e.cfg.Logger.Info("state", "state", state, "message", message, "error", err)
		} else {
			e.cfg.Logger.Info("state", "state", state, "message", message)
		}
	}
}

// Run connects and then watches the connection until ctx ends, starting
// over whenever the key or the scope changes.
func (e *Engine) Run(ctx context.Context) {
	defer e.startUpkeep(ctx)() // retention (upkeep.go)
	for {
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); e.runOnce(runCtx) }()
		select {
		case <-ctx.Done():
			cancel()
			<-done
			return
		case <-e.restart:
			cancel()
			<-done
		}
	}
}

func (e *Engine) runOnce(ctx context.Context) {
	if e.api() == nil {
		e.setState(api.StateSignedOut, signedOutMessage)
		<-ctx.Done()
		return
	}
	delay := e.cfg.RetryDelay
	for {
		err := e.connect(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, errUnreachable) && e.tun.retry {
			if sleep(ctx, tunnelRetryDelay) {
				e.retunnelSoon() // ngrok may be reachable again
			}
			return
		}
		if errors.Is(err, errRefused) || errors.Is(err, errUnreachable) {
			<-ctx.Done() // only the user can fix the key, or the address
			return
		}
		e.setProblem(api.StateError, fmt.Sprintf("%s Trying again in %s.", say(err), delay.Round(time.Second)), err)
		if !sleep(ctx, delay) {
			return
		}
		delay = min(delay*2, 5*time.Minute)
	}
	e.watch(ctx)
}

// connect makes sure SmartLead can reach the public address (no call to
// SmartLead is worth making before), validates the key and registers.
func (e *Engine) connect(ctx context.Context) error {
	if err := e.checkReach(); err != nil {
		return err
	}
	e.setState(api.StateStarting, "Checking the SmartLead API key…")
	if err := e.api().ValidateKey(ctx); err != nil {
		switch {
		case errors.Is(err, smartlead.ErrUnauthorized):
			e.setState(api.StateUnauthorized, "SmartLead refused the API key (401 Unauthorized). Copy it again from SmartLead under Settings → API Key.")
			return fmt.Errorf("%w: %w", errRefused, err)
		case errors.Is(err, smartlead.ErrNoAPIAccess):
			e.setState(api.StateUnauthorized, "This SmartLead plan has no API access (403 Access denied). Webhooks need a plan with API access.")
			return fmt.Errorf("%w: %w", errRefused, err)
		}
		return err
	}
	e.setState(api.StateStarting, "Connecting to SmartLead…")
	return e.register(ctx, regFull)
}

// checkReach refuses to register an address SmartLead cannot reach (a
// tunnel that did not open, an address only this computer or network
// knows), saying why in the status, and warns about a plain-http one.
func (e *Engine) checkReach() error {
	if e.tun.problem != "" {
		e.setState(api.StateUnreachable, e.tun.problem)
		return errUnreachable
	}
	r := tunnel.CheckReach(e.tunnel.URL(), e.cfg.SmartLeadURL)
	if !r.OK {
		e.setState(api.StateUnreachable, r.Problem)
		return errUnreachable
	}
	msg := ""
	if r.PlainHTTP {
		msg = "Leadbell's public address starts with http://, so SmartLead's events travel unencrypted. Use an https:// address."
	}
	e.setWarning(warnPlainHTTP, msg)
	return nil
}

// watch proves deliveries come back and repairs the registration: at once,
// then every Watchdog period, at once again after a wake from sleep or a
// network change (wake.go), and sooner while checks fail (from RetryDelay,
// doubling up to the period). Each check that comes back is a sign of life
// and, after a gap, starts a catch-up (package catchup).
func (e *Engine) watch(ctx context.Context) {
	var bg sync.WaitGroup // the wake watch and catch-ups: done before Run returns
	defer bg.Wait()
	woke := make(chan wakeEvent, 1)
	bg.Go(func() { e.wake.run(ctx, woke, e.cfg.Logger) })
	e.catchUp.WatchStarts()
	ok := e.check(ctx, nil)
	retry := e.cfg.RetryDelay
	for {
		e.catchUp.Checked(ctx, ok, &bg)
		next := e.cfg.Watchdog
		if !ok {
			next, retry = min(retry, next), min(retry*2, next)
		} else {
			retry = e.cfg.RetryDelay
		}
		t := time.NewTimer(next)
		mode := regLight
		disk := e.store.HealthChanged()
		select {
		case <-ctx.Done():
			t.Stop()
			if e.Status().State == api.StateListening {
				e.catchUp.Shutdown()
			}
			return
		case <-disk:
			t.Stop()
			if !e.store.Health().OK() {
				// Deliveries are refused from now on: a gap to catch
				// up on, from the last sign of life before it.
				e.catchUp.NoteMissed()
				ok = false
				continue
			}
			// Saving works again: check now, which starts the catch-up.
		case <-t.C:
		case w := <-woke:
			t.Stop()
			if w.reason == wakeSlept {
				e.catchUp.NoteMissed()
			}
			mode = regFull // after a sleep or a network change, look at everything
		}
		ok = e.check(ctx, &mode)
	}
}

// check confirms the registration with a pass of depth *mode (none when
// mode is nil: connect has just registered) and round-trips a self-test
// through the public URL; it reports whether the self-test came back.
func (e *Engine) check(ctx context.Context, mode *regMode) bool {
	if mode != nil {
		if err := e.register(ctx, *mode); err != nil {
			if ctx.Err() == nil {
				e.setProblem(api.StateStalled, say(err)+" Leadbell will try again.", err)
			}
			return false
		}
	}
	if err := e.selfTest(ctx); err != nil {
		if ctx.Err() == nil {
			e.setProblem(api.StateStalled, "Set up at SmartLead, but a test event Leadbell sent to this computer's public address did not come back: events may not be arriving. Leadbell will try again.",
				fmt.Errorf("%w through %s: %w", errSelfTest, e.tunnel.URL(), err))
		}
		return false
	}
	e.setState(api.StateListening, e.listeningMessage())
	return true
}

// TunnelState follows the tunnel's session: a drop shows as reconnecting;
// the session back means re-registering (the URL may be new) and a fresh
// self-test; a refused token is final until the user changes it.
func (e *Engine) TunnelState(s tunnel.State, err error) {
	switch {
	case s == tunnel.StateReconnecting:
		e.setState(api.StateReconnecting, "The tunnel dropped; reconnecting…")
	case s == tunnel.StateConnected:
		e.reconnect()
	case err != nil:
		e.setProblem(api.StateError, "The connection to this computer closed. "+say(err), err)
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// What the app asks of an Engine it wires (app.Start).

// SetTunnelProblem says the tunnel asked for could not be opened, and why
// (a sentence for the user); retry says the problem may pass by itself
// (offline at login), so the engine tries again later.
func (e *Engine) SetTunnelProblem(msg string, retry bool) {
	e.tun.problem, e.tun.retry = msg, retry
}

// SetHookStats gives the engine the receiver's server's counts, for the
// inspector's answers.
func (e *Engine) SetHookStats(stats func() (webhook.LimitStats, uint64)) { e.in.stats = stats }

// HookPath is the receiver's path: /hooks/ and the URL token.
func (e *Engine) HookPath() string { return "/hooks/" + e.in.token }

// Retunnel is sent on when the settings changed how Leadbell is reached:
// the instance starts again with the tunnel they now describe.
func (e *Engine) Retunnel() <-chan struct{} { return e.tun.restart }

// SignedIn reports whether a SmartLead key is in use.
func (e *Engine) SignedIn() bool { return e.api() != nil }

// Client is the signed-in account's SmartLead client; nil when signed out.
func (e *Engine) Client() *smartlead.Client { return e.api() }

// Logger is the engine's logger.
func (e *Engine) Logger() *slog.Logger { return e.cfg.Logger }

// DataDir is where the engine's data lives.
func (e *Engine) DataDir() string { return e.cfg.DataDir }

// LoadSettings reads the user's settings kept in st (zero when none are).
func LoadSettings(st *store.Store) (settings.Settings, error) {
	saved, _, err := settingsDoc.Get(st)
	return saved, err
}
