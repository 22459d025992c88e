package simulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
)

// hook is a registered webhook with its delivery state. Its level is in
// w: campaign when w.CampaignID is set, client when w.ClientID is, else
// user.
type hook struct {
	w        smartlead.Webhook
	created  time.Time
	updated  time.Time
	failures int // consecutive failed attempts
}

// Call is one API request the fake answered.
type Call struct {
	Method string
	Path   string // without the query string (it holds the key)
	Status int
}

// Server is a running fake SmartLead. Create it with NewServer and Close it
// when done.
type Server struct {
	opts   Options
	log    *slog.Logger
	gen    *Generator
	ln     net.Listener
	srv    *http.Server
	client *http.Client
	apiKey string
	noKey  string
	done   chan struct{}
	wg     sync.WaitGroup // background sends (test events)

	mu             sync.Mutex
	closed         bool
	rng            *rand.Rand
	hooks          map[string]*hook
	nextHook       int
	failN          int
	failStatus     int
	failCategories int
	calls          []Call
	deliveries     []Delivery
	failed         []failedDelivery // undelivered, oldest failure first
	failSeq        int
	retriggers     int
	history        map[string][]historyItem // by campaign id + "/" + lead id
	replies        []ThreadReply            // answers accepted (reply.go)
	leadStates     map[string]leadState     // by campaign id + "/" + lead id
}

// NewServer starts a fake SmartLead on 127.0.0.1 and a random port. It
// panics if it cannot listen, as httptest.NewServer does.
func NewServer(opts Options) *Server {
	if opts.RetryDelays == nil {
		opts.RetryDelays = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour}
	}
	if opts.DisableAfter <= 0 {
		opts.DisableAfter = 5
	}
	if opts.DeliveryTimeout <= 0 {
		opts.DeliveryTimeout = 30 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "simulator")
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0xa91))
	s := &Server{
		opts: opts, log: log, gen: NewGenerator(opts.Seed), rng: rng, done: make(chan struct{}),
		client: &http.Client{Timeout: opts.DeliveryTimeout},
		apiKey: apiKeyFrom(rng), noKey: apiKeyFrom(rng),
		hooks: map[string]*hook{}, nextHook: 4000 + rng.IntN(1000),
		history: map[string][]historyItem{}, leadStates: map[string]leadState{},
	}
	if opts.Categories != nil {
		s.gen.SetCategories(opts.Categories)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("simulator: failed to listen on a port: %v", err))
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serving stopped", "error", err)
		}
	}()
	return s
}

// apiKeyFrom makes a key shaped like SmartLead's: a UUID and a suffix.
func apiKeyFrom(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x_%06x", a>>32, a>>16&0xffff, a&0xffff,
		b>>48, b&0xffffffffffff, rng.Uint32()&0xffffff)
}

// URL is the API base, http://127.0.0.1:PORT/api/v1.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() + "/api/v1" }

// APIKey is a key the fake accepts.
func (s *Server) APIKey() string { return s.apiKey }

// NoAccessKey is a key of a plan without API access: it gets 403. Any
// other key gets 401.
func (s *Server) NoAccessKey() string { return s.noKey }

// Generator is the fake's event generator; its campaigns, leads and
// categories are the fake's.
func (s *Server) Generator() *Generator { return s.gen }

// Close stops the server, ends pending retries and waits for background
// deliveries (test events included) to stop.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	s.wg.Wait()
}

// background runs f in the server's WaitGroup with a context that ends
// when the server closes; it does nothing once the server is closed.
func (s *Server) background(f func(ctx context.Context)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.wg.Go(func() {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-s.done:
				cancel()
			case <-ctx.Done():
			}
		}()
		f(ctx)
	})
}

// FailNext makes the next n API calls answer status. 429 comes as
// SmartLead's rate limiter sends it: a Retry-After: 1 header and a nested
// {"error": {"code": "RATE_LIMIT_EXCEEDED", ...}} body.
func (s *Server) FailNext(n int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus = n, status
}

// Calls returns the API calls answered so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Deliveries returns every delivery attempt so far, test events included
// (Delivery.Test), in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}
