package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
)

// ErrNoAccount means the demo cannot be left: this Leadbell was started as
// `leadbell demo`, so there is no account to go back to.
var ErrNoAccount = errors.New("app: started as leadbell demo; there is no account to go back to")

// Session runs one Instance at a time, the user's or the demo's, and
// switches between them when the user asks ("Try the demo" on the sign-in
// screen, "Leave the demo" in the demo). The demo keeps its own store in
// the demo folder of the data directory, so simulated events never mix
// with real ones.
//
// A Session is an http.Handler: the local API and UI of whichever Instance
// is current, plus GET, POST and DELETE /api/demo.
type Session struct {
	home   *Config // the user's configuration; nil when started as a demo
	demo   Config  // the demo's configuration
	assets fs.FS

	// mu is held for reading by each API request and for writing while a
	// switch stops one Instance and starts the other.
	mu      sync.RWMutex
	cur     *Instance
	stopSim func()             // the simulator of a demo Instance
	retired context.Context    // ends when cur is switched away from
	retire  context.CancelFunc //
	changed chan struct{}      // closed at the next switch

	switches chan switchRequest
	csrf     *http.CrossOriginProtection
}

type switchRequest struct {
	demo bool
	done chan error
}

// DemoDir is where the demo keeps its data, inside the user's data dir.
func DemoDir(dataDir string) string { return filepath.Join(dataDir, "demo") }

// NewSession starts the user's Instance, or the demo's when cfg.Demo is
// set (and then there is no account to switch to). Like Start, it fails
// with ErrAlreadyRunning when another Leadbell holds the data.
func NewSession(cfg Config, assets fs.FS) (*Session, error) {
	cfg.SetDefaults()
	s := &Session{assets: assets, switches: make(chan switchRequest), csrf: http.NewCrossOriginProtection()}
	s.demo = cfg
	// The demo's events are simulated: a damaged demo file is kept aside
	// without asking.
	s.demo.StartFresh = true
	if !cfg.Demo {
		home := cfg
		s.home = &home
		s.demo.DataDir = DemoDir(cfg.DataDir)
		s.demo.Listen = "127.0.0.1:0"
		s.demo.Campaigns, s.demo.Events = nil, nil
	}
	in, stopSim, err := s.start(!cfg.Demo)
	if err != nil {
		return nil, err
	}
	s.install(in, stopSim)
	return s, nil
}

// start starts the user's Instance (home) or a demo one with its simulator.
func (s *Session) start(home bool) (*Instance, func(), error) {
	if home {
		in, err := Start(*s.home, s.assets)
		return in, nil, err
	}
	cfg := s.demo
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("app: unable to create the demo's folder: %w", err)
	}
	stopSim, err := Simulate(context.Background(), &cfg, simulator.StreamOptions{})
	if err != nil {
		return nil, nil, err
	}
	in, err := Start(cfg, s.assets)
	if err != nil {
		stopSim()
		return nil, nil, err
	}
	return in, stopSim, nil
}

// install makes in current; the caller holds mu for writing (or is the
// constructor).
func (s *Session) install(in *Instance, stopSim func()) {
	s.cur, s.stopSim = in, stopSim
	s.retired, s.retire = context.WithCancel(context.Background())
	s.changed = make(chan struct{})
}

// Current is the running Instance.
func (s *Session) Current() *Instance {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cur
}

// Changed is closed when the current Instance is switched away from:
// whoever follows its broker or store subscribes again to Current.
func (s *Session) Changed() <-chan struct{} {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.changed
}

// Follow calls fn with the current Instance, and a context that ends when
// it is switched away from (or ctx ends), again and again until ctx ends
// or the session has stopped: whoever follows an Instance's store or
// broker follows the session across switches to and from the demo.
func (s *Session) Follow(ctx context.Context, fn func(context.Context, *Instance)) {
	for ctx.Err() == nil {
		in, changed := s.Current(), s.Changed()
		if in == nil {
			return
		}
		inCtx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-changed:
			case <-inCtx.Done():
			}
			cancel()
		}()
		fn(inCtx, in)
		cancel()
	}
}

// InDemo reports whether the current Instance is the demo.
func (s *Session) InDemo() bool {
	in := s.Current()
	return in != nil && in.demo
}

// Run runs the current Instance until ctx ends or a server fails (extra
// lists more servers to watch), performing switches as they are asked for.
func (s *Session) Run(ctx context.Context, extra ...<-chan error) error {
	for {
		in := s.Current()
		runCtx, stop := context.WithCancel(ctx)
		errc := make(chan error, 1)
		go func() { errc <- in.Run(runCtx, extra...) }()
		for switched := false; !switched; {
			select {
			case err := <-errc:
				stop()
				if errors.Is(err, ErrRetunnel) {
					// The same session again, with the tunnel the settings
					// now describe.
					if err := s.switchTo(s.InDemo()); err != nil && s.Current() == nil {
						return err
					}
					switched = true
					continue
				}
				return err
			case req := <-s.switches:
				if done, err := s.trivial(req.demo); done {
					req.done <- err // in keeps running
					continue
				}
				stop()
				if err := <-errc; err != nil { // it failed as the switch came
					req.done <- err
					return err
				}
				err := s.switchTo(req.demo)
				req.done <- err
				if s.Current() == nil {
					return err // neither session could start
				}
				switched = true
			}
		}
	}
}

// trivial answers a switch that needs no restart: to where the session
// already is, or back to an account there is not.
func (s *Session) trivial(demo bool) (bool, error) {
	switch {
	case demo == s.InDemo():
		return true, nil
	case !demo && s.home == nil:
		return true, ErrNoAccount
	}
	return false, nil
}

// switchTo stops the current Instance and starts the user's or the demo's
// (the same kind again to restart it). If that one cannot start, the
// previous one is started again.
func (s *Session) switchTo(demo bool) error {
	s.retire() // event streams end, so their requests let go of mu
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.changed)
	log := s.cur.Engine.Logger()
	s.stopCurrent()
	in, stopSim, err := s.start(!demo)
	if err != nil {
		log.Error("unable to switch", "demo", demo, "error", err)
		back, backSim, backErr := s.start(demo)
		if backErr != nil {
			s.cur, s.stopSim = nil, nil
			return fmt.Errorf("%w, and the previous session did not start again: %w", err, backErr)
		}
		s.install(back, backSim)
		return err
	}
	log.Info("switched", "demo", demo)
	s.install(in, stopSim)
	return nil
}

func (s *Session) stopCurrent() {
	log := s.cur.Engine.Logger()
	if err := s.cur.Stop(); err != nil {
		log.Warn("the previous session did not stop cleanly", "error", err)
	}
	if s.stopSim != nil {
		s.stopSim()
	}
}

// Stop stops the current Instance (and the demo's simulator).
func (s *Session) Stop() error {
	s.retire()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return nil
	}
	err := s.cur.Stop()
	if s.stopSim != nil {
		s.stopSim()
	}
	s.cur, s.stopSim = nil, nil
	return err
}

// SwitchDemo switches to the demo (on) or back to the user's account, and
// returns once the new Instance is running. Run must be running.
func (s *Session) SwitchDemo(ctx context.Context, on bool) error {
	req := switchRequest{demo: on, done: make(chan error, 1)}
	select {
	case s.switches <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
