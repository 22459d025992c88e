package tunnel

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	ngrok "golang.ngrok.com/ngrok/v2"
)

// ngrokTunnel is a Tunnel through ngrok's cloud: an HTTPS endpoint whose
// connections arrive on an ngrok.EndpointListener.
type ngrokTunnel struct {
	agent     ngrok.Agent
	ep        ngrok.EndpointListener
	ephemeral bool
	log       *slog.Logger
	r         redactor
	// cancel ends the context the client's session lives in.
	cancel context.CancelFunc
	// refused carries ngrok's first refusal while connecting, so that a
	// bad authtoken fails at once instead of at the deadline.
	refused chan error

	mu       sync.Mutex
	phase    phase
	up       bool  // the client's session is up, as its events say
	lastErr  error // the last failed attempt while connecting (raw)
	state    State
	stateErr error
	notes    *notifier // nil without OnState
}

// phase is where a tunnel is in its life.
type phase int

const (
	connecting phase = iota
	running
	closed
)

// Ngrok opens an HTTPS endpoint on ngrok: at opts.Domain when one is given,
// at a URL ngrok picks otherwise. It returns once the endpoint is up.
// Otherwise its error wraps ErrNoAuthtoken or ErrBadDomain (nothing was
// dialed), ErrBadAuthtoken or ErrRefused (ngrok said no: returned at once,
// not at the deadline), ErrUnreachable or ErrTimeout (ConnectTimeout
// passed), or ctx's error. ctx bounds the connect only; the tunnel lives
// until Close.
//
// A session that drops later is remade by the ngrok client itself with
// the same URL; opts.OnState and State tell how it goes.
func Ngrok(ctx context.Context, opts NgrokOptions) (Tunnel, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	t := &ngrokTunnel{
		ephemeral: o.Domain == "",
		log:       o.Logger.With("tunnel", "ngrok"),
		r:         redactor{secret: o.Authtoken},
		refused:   make(chan error, 1),
	}
	agentOpts := []ngrok.AgentOption{
		ngrok.WithAuthtoken(o.Authtoken),
		ngrok.WithAutoConnect(false),
		ngrok.WithLogger(slog.New(newRedactHandler(o.Logger.Handler(), t.r)).With("component", "ngrok")),
		ngrok.WithEventHandler(t.onEvent),
	}
	if o.ServerAddr != "" {
		agentOpts = append(agentOpts, ngrok.WithAgentConnectURL(o.ServerAddr))
	}
	if o.ServerCAs != nil {
		agentOpts = append(agentOpts, ngrok.WithAgentConnectCAs(o.ServerCAs))
	}
	if t.agent, err = ngrok.NewAgent(agentOpts...); err != nil {
		return nil, fmt.Errorf("tunnel: unable to set up the ngrok client: %s", t.r.String(err.Error()))
	}

	// The client keeps its session for as long as the context given to
	// Connect lives, so that context is the tunnel's, not ctx: the
	// deadline is enforced here instead.
	session, cancel := context.WithCancel(context.WithoutCancel(ctx))
	t.cancel = cancel
	deadline := time.NewTimer(o.ConnectTimeout)
	defer deadline.Stop()
	if err := t.connect(ctx, session, deadline.C, o.ConnectTimeout); err != nil {
		cancel()
		return nil, err
	}
	ep, err := t.listen(ctx, session, deadline.C, o)
	if err != nil {
		t.agent.Disconnect()
		cancel()
		return nil, err
	}

	t.mu.Lock()
	t.ep = ep
	t.phase = running
	t.state = StateConnected
	if !t.up {
		t.state = StateReconnecting
	}
	if o.OnState != nil {
		t.notes = newNotifier(o.OnState)
	}
	t.mu.Unlock()
	t.log.Info("ngrok tunnel open", "url", t.URL(), "static_domain", !t.ephemeral)
	return t, nil
}

// connect makes the client's session, or says why it could not.
func (t *ngrokTunnel) connect(ctx, session context.Context, deadline <-chan time.Time, timeout time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- t.agent.Connect(session) }()
	var err error
	select {
	case err = <-done:
		if err == nil {
			return nil
		}
		return classify(err, t.r)
	case err = <-t.refused:
	case <-deadline:
		err = deadlineError(t.lastFailure(), timeout, t.r)
	case <-ctx.Done():
		err = fmt.Errorf("tunnel: ngrok connect abandoned: %w", context.Cause(ctx))
	}
	// The client retries until its context ends: end it, and wait for its
	// connect loop to return.
	t.cancel()
	<-done
	return err
}

// listen opens the endpoint on the connected session.
func (t *ngrokTunnel) listen(ctx, session context.Context, deadline <-chan time.Time, o NgrokOptions) (ngrok.EndpointListener, error) {
	var epOpts []ngrok.EndpointOption
	if o.Domain != "" {
		epOpts = append(epOpts, ngrok.WithURL("https://"+o.Domain))
	}
	type result struct {
		ep  ngrok.EndpointListener
		err error
	}
	done := make(chan result, 1)
	go func() {
		ep, err := t.agent.Listen(session, epOpts...)
		done <- result{ep, err}
	}()
	var err error
	select {
	case res := <-done:
		if res.err == nil {
			return res.ep, nil
		}
		if f, ok := refusalOf(res.err, t.r); ok && o.Domain != "" {
			return nil, fmt.Errorf("%w (domain %s)", f.err(), o.Domain)
		}
		return nil, classify(res.err, t.r)
	case err = <-t.refused: // the session dropped and ngrok refused the new one
	case <-deadline:
		err = deadlineError(t.lastFailure(), o.ConnectTimeout, t.r)
	case <-ctx.Done():
		err = fmt.Errorf("tunnel: ngrok connect abandoned: %w", context.Cause(ctx))
	}
	// The request to listen does not watch a context: closing the
	// session is what ends it.
	t.agent.Disconnect()
	if res := <-done; res.ep != nil {
		res.ep.Close()
	}
	return nil, err
}

// lastFailure is the last failed attempt while connecting, if any.
func (t *ngrokTunnel) lastFailure() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lastErr
}

// Listener accepts the connections that reach URL.
func (t *ngrokTunnel) Listener() net.Listener { return t.ep }

// URL is the endpoint's public URL, such as https://abc.ngrok-free.app.
func (t *ngrokTunnel) URL() string { return strings.TrimRight(t.ep.URL().String(), "/") }

// Ephemeral is true unless a static domain was given.
func (t *ngrokTunnel) Ephemeral() bool { return t.ephemeral }

// Name is "ngrok".
func (t *ngrokTunnel) Name() string { return "ngrok" }

// Close ends the endpoint and the session. OnState is not called for it.
func (t *ngrokTunnel) Close() error {
	t.mu.Lock()
	if t.phase == closed {
		t.mu.Unlock()
		return nil
	}
	t.phase = closed
	t.state, t.stateErr = StateDisconnected, nil
	notes := t.notes
	t.mu.Unlock()
	if notes != nil {
		notes.stop()
	}
	t.shutdown()
	t.cancel()
	t.log.Info("ngrok tunnel closed")
	return nil
}

// shutdown closes the session, then the endpoint, so that Accept returns.
// In this order neither waits on ngrok: with the session gone, the
// endpoint's request to unlisten fails at once instead of waiting for an
// answer. Their errors only say the session was already down.
func (t *ngrokTunnel) shutdown() {
	if err := t.agent.Disconnect(); err != nil {
		t.log.Debug("ngrok session close", "error", t.r.String(err.Error()))
	}
	if err := t.ep.Close(); err != nil {
		t.log.Debug("ngrok endpoint close", "error", t.r.String(err.Error()))
	}
}
