package smartleadtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
)

// Family says which webhook API the fake answers.
type Family int

// Families. The zero value answers both, as newer accounts do.
const (
	FamilyBoth Family = iota // spec and live routes
	FamilySpec               // /webhook/... only; live webhook routes 404
	FamilyLive               // /campaigns/{id}/webhooks only; spec routes 404
)

// Shape says which payload shape deliveries use.
type Shape int

// Shapes. The zero value mixes them, event by event.
const (
	ShapeMixed Shape = iota
	ShapeSpec        // nested, signed with X-Smartlead-Signature
	ShapeLive        // flat, secret in "secret_key"
)

// String names the shape.
func (s Shape) String() string {
	switch s {
	case ShapeSpec:
		return "spec"
	case ShapeLive:
		return "live"
	}
	return "mixed"
}

// Options configure a Server. The zero value is a sensible fake.
type Options struct {
	Family Family
	Shape  Shape
	// Secret is the webhook secret: spec-shape deliveries carry
	// X-Smartlead-Signature: sha256=<hex HMAC of the raw body>, live-shape
	// ones "secret_key" in the body. Empty sends them unsigned.
	Secret string
	Seed   int64
	Logger *slog.Logger
	// RetryDelays are the waits before each retry of a failed delivery.
	// nil means the spec's 1m, 5m, 15m, 1h, 6h; an empty slice, no retries.
	RetryDelays []time.Duration
	// DisableAfter consecutive failed attempts disable a webhook. Default 5.
	DisableAfter int
	// DuplicateRate is the chance a delivered event is delivered again;
	// OutOfOrderRate the chance Run holds an event back behind the next.
	DuplicateRate, OutOfOrderRate float64
	// DeliveryTimeout bounds one delivery attempt. Default 30 s.
	DeliveryTimeout time.Duration
}

// hook is a registered webhook with its delivery state.
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
	wg     sync.WaitGroup

	mu         sync.Mutex
	closed     bool
	rng        *rand.Rand
	hooks      map[string]*hook
	nextHook   int
	failN      int
	failStatus int
	calls      []Call
	deliveries []Delivery
	failed     []failedDelivery // undelivered, oldest failure first
	failSeq    int
	history    map[string][]historyItem // by campaign id + "/" + lead id
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
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0xa91))
	s := &Server{
		opts: opts, log: log, gen: NewGenerator(opts.Seed), rng: rng, done: make(chan struct{}),
		client: &http.Client{Timeout: opts.DeliveryTimeout},
		apiKey: apiKeyFrom(rng), noKey: apiKeyFrom(rng),
		hooks: map[string]*hook{}, nextHook: 4000 + rng.IntN(1000),
		history: map[string][]historyItem{},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("smartleadtest: failed to listen on a port: %v", err))
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("smartleadtest: serving stopped", "error", err)
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

// Generator is the fake's event generator; its campaigns are the fake's.
func (s *Server) Generator() *Generator { return s.gen }

// Close stops the server, ends pending retries and waits for background
// deliveries to stop.
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

// Campaigns returns the account's campaigns.
func (s *Server) Campaigns() []smartlead.Campaign { return s.gen.Campaigns() }

// Webhooks returns the registered webhooks, disabled ones included, by id.
func (s *Server) Webhooks() []smartlead.Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]smartlead.Webhook, 0, len(s.hooks))
	for _, h := range s.hooks {
		w := h.w
		w.EventTypes = slices.Clone(w.EventTypes)
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b smartlead.Webhook) int { return idCompare(a.ID, b.ID) })
	return out
}

func idCompare(a, b string) int {
	na, _ := strconv.Atoi(a)
	nb, _ := strconv.Atoi(b)
	return na - nb
}

// DisableWebhook disables a webhook as SmartLead does after failures,
// behind the client's back.
func (s *Server) DisableWebhook(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.hooks[id]; h != nil {
		h.w.Enabled = false
	}
}

// RemoveWebhook deletes a webhook behind the client's back.
func (s *Server) RemoveWebhook(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.hooks, id)
}

// FailNext makes the next n API calls answer status: 429 comes with
// Retry-After: 1 and a JSON retry_after, as SmartLead's rate limiter does.
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

// Deliveries returns every delivery attempt so far, in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}
