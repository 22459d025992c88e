package webhook

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/store"
)

// freeBody is how much of each body is buffered without drawing on the
// shared budget (LimitConfig.MaxBuffered). SmartLead's payloads are a few
// KiB, so a genuine delivery never waits for the budget, while bytes that
// stalled senders hold beyond this are bounded by it.
const freeBody = 64 << 10

// sampleEvery is how often each kind of refusal the limiter makes is copied
// into the rejected log; the others are only counted.
const sampleEvery = time.Second

// warnEvery is how often the limiter says in the log that it is refusing.
const warnEvery = time.Minute

// LimitConfig bounds the work that requests to the public webhook URL can
// cause. The zero value of each field picks its default.
type LimitConfig struct {
	// Path is where deliveries are POSTed (/hooks/<token>). Other requests
	// pass through untouched, with only a read deadline: the receiver
	// answers them 404 or 405 without reading a body. Empty treats every
	// POST as a delivery.
	Path string
	// MaxInFlight is how many deliveries are verified, parsed and stored at
	// once. Default 64.
	MaxInFlight int
	// QueueWait is how long a delivery waits for one of those slots before
	// it is answered 503 with Retry-After. Default 2 s.
	QueueWait time.Duration
	// BodyTimeout is how long a body may take to arrive once the headers
	// are in; a slower one is answered 408. Default 10 s.
	BodyTimeout time.Duration
	// MaxBuffered bounds the bytes of bodies held beyond the first 64 KiB of
	// each. Default 64 MiB.
	MaxBuffered int64
	// RetryAfter is the Retry-After of a 503. Default 10 s.
	RetryAfter time.Duration
	// Reject receives a sample of the requests the limiter refuses (at most
	// one a second for each status), for the rejected log.
	Reject func(store.Rejection)
	// OnBody, when set, is told when a delivery's body starts (reading
	// true) and stops arriving: the connection limit may close a
	// connection for room while its body is still trickling in.
	OnBody func(r *http.Request, reading bool)
	Logger *slog.Logger
	Now    func() time.Time
}

// LimitStats counts what the limiter did since it was made.
type LimitStats struct {
	InFlight   int    `json:"in_flight"`   // deliveries being verified or stored now
	Buffered   int64  `json:"buffered"`    // bytes drawn from the shared budget now
	Shed       uint64 `json:"shed"`        // answered 503: no slot in time, or no room for the body
	SlowBodies uint64 `json:"slow_bodies"` // answered 408: the body took longer than BodyTimeout
	TooLarge   uint64 `json:"too_large"`   // answered 413: over MaxBody
	Unreadable uint64 `json:"unreadable"`  // answered 400: the body broke off
}

// Limiter keeps a public webhook URL answering genuine deliveries while it
// is flooded. It runs in front of the receiver:
//
//  1. a request that is not a POST to Path passes through;
//  2. a body stated to be over MaxBody is answered 413 before a byte of it
//     is read;
//  3. the body is read into memory, within BodyTimeout, before the request
//     takes a slot: a slow sender (slowloris) holds a goroutine and the
//     bytes it sent, never a slot;
//  4. a slot is taken to verify, parse and store. A bad signature gives its
//     slot back within microseconds, so a flood of them leaves room for the
//     genuine deliveries, and when the slots stay full the request is
//     answered 503 with Retry-After, which SmartLead retries.
type Limiter struct {
	next     http.Handler
	cfg      LimitConfig
	slots    chan struct{}
	buffered atomic.Int64

	shed, slow, tooLarge, unreadable atomic.Uint64
	sampled                          [3]atomic.Int64 // per refusal kind: when one was last sampled
	warned                           atomic.Int64
}

// Limit returns next behind a Limiter configured by cfg.
func Limit(next http.Handler, cfg LimitConfig) *Limiter {
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 64
	}
	if cfg.QueueWait <= 0 {
		cfg.QueueWait = 2 * time.Second
	}
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = 10 * time.Second
	}
	if cfg.MaxBuffered <= 0 {
		cfg.MaxBuffered = 64 << 20
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Logger = cfg.Logger.With("component", "webhook")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Limiter{next: next, cfg: cfg, slots: make(chan struct{}, cfg.MaxInFlight)}
}

// Stats returns the limiter's counters as of now.
func (l *Limiter) Stats() LimitStats {
	return LimitStats{
		InFlight:   len(l.slots),
		Buffered:   l.buffered.Load(),
		Shed:       l.shed.Load(),
		SlowBodies: l.slow.Load(),
		TooLarge:   l.tooLarge.Load(),
		Unreadable: l.unreadable.Load(),
	}
}

// ServeHTTP reads the body, takes a slot and passes the request on.
func (l *Limiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	if r.Method != http.MethodPost || (l.cfg.Path != "" && r.URL.Path != l.cfg.Path) {
		// Not a delivery (a wrong token, a probe): answered without its
		// body, on a connection that closes, so a slow sender cannot keep
		// the connection busy while the server drains what it trickles.
		_ = rc.SetReadDeadline(time.Now().Add(time.Second))
		w.Header().Set("Connection", "close")
		l.next.ServeHTTP(w, r)
		return
	}
	// The server's ReadTimeout stays the backstop where this is unsupported.
	_ = rc.SetReadDeadline(time.Now().Add(l.cfg.BodyTimeout))
	if r.ContentLength > MaxBody {
		l.refuse(w, r, nil, kindTooLarge)
		return
	}
	if l.cfg.OnBody != nil {
		l.cfg.OnBody(r, true)
	}
	body, reserved, err := l.readBody(r)
	if l.cfg.OnBody != nil {
		l.cfg.OnBody(r, false)
	}
	defer l.buffered.Add(-reserved)
	switch {
	case errors.Is(err, errTooLarge):
		l.refuse(w, r, nil, kindTooLarge)
		return
	case errors.Is(err, errNoRoom):
		l.refuse(w, r, nil, kindShed)
		return
	case isTimeout(err):
		l.refuse(w, r, body, kindSlow)
		return
	case err != nil:
		l.unreadable.Add(1)
		l.cfg.Logger.Debug("unable to read delivery", "remote", remote(r), "error", err)
		w.Header().Set("Connection", "close")
		answer(w, http.StatusBadRequest, "unable to read the body")
		return
	}
	// The body is in: no deadline while the request waits for its slot and
	// the store, or the server's watch for the next request would hit it
	// and cancel this request's context.
	_ = rc.SetReadDeadline(time.Time{})

	if !l.acquire(r) {
		if r.Context().Err() == nil {
			l.refuse(w, r, body, kindShed)
		}
		return
	}
	defer func() { <-l.slots }()
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.TransferEncoding = nil
	l.next.ServeHTTP(w, r)
}

// acquire takes a slot, waiting at most QueueWait.
func (l *Limiter) acquire(r *http.Request) bool {
	select {
	case l.slots <- struct{}{}:
		return true
	default:
	}
	wait := time.NewTimer(l.cfg.QueueWait)
	defer wait.Stop()
	select {
	case l.slots <- struct{}{}:
		return true
	case <-wait.C:
		return false
	case <-r.Context().Done():
		return false
	}
}

var (
	errTooLarge = errors.New("webhook: body over 1 MiB")
	errNoRoom   = errors.New("webhook: no room to buffer the body")
)

// readBody reads r's body into memory, at most MaxBody bytes. It returns
// how many bytes it drew from the shared budget, which the caller gives
// back when done, also on error.
func (l *Limiter) readBody(r *http.Request) ([]byte, int64, error) {
	size := int64(8 << 10)
	if n := r.ContentLength; n >= 0 {
		size = min(n+1, freeBody) // +1: the read that meets the end finds room
	}
	buf := make([]byte, 0, size)
	var reserved int64
	for {
		if len(buf) == cap(buf) {
			if len(buf) > MaxBody {
				return nil, reserved, errTooLarge
			}
			want := int64(min(2*cap(buf), MaxBody+1))
			if n := r.ContentLength; n >= 0 && n+1 > int64(cap(buf)) {
				want = min(want, n+1)
			}
			need := max(0, want-freeBody) - reserved
			if need > 0 {
				if !l.reserve(need) {
					return nil, reserved, errNoRoom
				}
				reserved += need
			}
			grown := make([]byte, len(buf), want)
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if len(buf) > MaxBody {
				return nil, reserved, errTooLarge
			}
			return buf, reserved, nil
		}
		if err != nil {
			return buf, reserved, err
		}
	}
}

// reserve draws n bytes from the shared budget if there is room.
func (l *Limiter) reserve(n int64) bool {
	for {
		cur := l.buffered.Load()
		if cur+n > l.cfg.MaxBuffered {
			return false
		}
		if l.buffered.CompareAndSwap(cur, cur+n) {
			return true
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return err != nil && errors.As(err, &ne) && ne.Timeout()
}

// refusal is a kind of answer the limiter gives instead of the receiver.
type refusal int

const (
	kindShed refusal = iota
	kindSlow
	kindTooLarge
)

// refuse answers r for the limiter, counts it and samples it into the
// rejected log.
func (l *Limiter) refuse(w http.ResponseWriter, r *http.Request, body []byte, kind refusal) {
	var status int
	var reason string
	switch kind {
	case kindShed:
		l.shed.Add(1)
		status, reason = http.StatusServiceUnavailable, "busy, retry later"
		w.Header().Set("Retry-After", strconv.Itoa(int(l.cfg.RetryAfter.Round(time.Second)/time.Second)))
	case kindSlow:
		l.slow.Add(1)
		status, reason = http.StatusRequestTimeout, "body not received in time"
		w.Header().Set("Connection", "close")
	case kindTooLarge:
		l.tooLarge.Add(1)
		status, reason = http.StatusRequestEntityTooLarge, "body over 1 MiB"
		w.Header().Set("Connection", "close")
	}
	answer(w, status, reason)
	now := l.cfg.Now()
	l.sample(kind, now, r, body, status, reason)
	if last := l.warned.Load(); now.UnixNano()-last >= int64(warnEvery) && l.warned.CompareAndSwap(last, now.UnixNano()) {
		st := l.Stats()
		l.cfg.Logger.Warn("refusing requests under load", "shed", st.Shed, "slow_bodies", st.SlowBodies, "too_large", st.TooLarge)
	}
}

// sample hands the refusal to Reject unless one of its kind was sampled
// less than sampleEvery ago.
func (l *Limiter) sample(kind refusal, now time.Time, r *http.Request, body []byte, status int, reason string) {
	if l.cfg.Reject == nil {
		return
	}
	at := &l.sampled[kind]
	last := at.Load()
	if (last != 0 && now.UnixNano()-last < int64(sampleEvery)) || !at.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	rej := store.Rejection{At: now.UTC(), Status: status, Reason: reason, Remote: remote(r), Body: body, BodySize: len(body), Headers: map[string]string{}}
	if kind == kindTooLarge && r.ContentLength > 0 {
		rej.BodySize = int(r.ContentLength)
	}
	for _, h := range []string{"Content-Type", "User-Agent", smartlead.SignatureHeader} {
		if v := r.Header.Get(h); v != "" {
			rej.Headers[h] = v
		}
	}
	l.cfg.Reject(rej)
}
