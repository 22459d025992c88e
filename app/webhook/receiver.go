// Package webhook is the receiver of SmartLead deliveries: a plain
// http.Handler, served on whatever listener the tunnel hands out.
//
// It answers as design.md's table says. A delivery is acknowledged only after
// the store has committed it durably, and before anything slow happens: the
// OnStored callback runs after the answer is decided and must not block.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// MaxBody is the largest delivery accepted; larger ones are answered 413.
const MaxBody = 1 << 20

// SelfTestHeader carries the HMAC (keyed by the path token) of a self-test
// delivery: Leadbell's own probe that went out through the public URL.
const SelfTestHeader = "X-Leadbell-Self-Test"

// SelfTestType is the event type of a self-test delivery.
const SelfTestType = "LEADBELL_SELF_TEST"

// Store is what the receiver needs from the store.
type Store interface {
	Append(ctx context.Context, ev event.Event) (event.Event, bool, error)
	Reject(r store.Rejection)
}

// Config holds a receiver's collaborators.
type Config struct {
	Token  string // the path token: deliveries go to /hooks/<Token>
	Secret string // the webhook secret; empty means the path token alone verifies
	Store  Store
	// OnStored is called once for each newly stored event (never for a
	// duplicate), after the commit. It must not block.
	OnStored func(event.Event)
	// OnSelfTest is called with the nonce of each genuine self-test.
	OnSelfTest func(nonce string)
	// OnDelivery is called for each delivery to the right path that is
	// accepted (stored, duplicate, or SmartLead's test event, test set):
	// proof that SmartLead reaches Leadbell. It must not block.
	OnDelivery func(test bool)
	// OnSecretMismatch is called when a delivery to the right path carries
	// a secret_key or a signature that the webhook secret does not match
	// (see Receiver). It must not block.
	OnSecretMismatch func(m Mismatch)
	Logger           *slog.Logger
	Now              func() time.Time
}

type credentials struct{ token, secret string }

// Receiver answers POST /hooks/{token}.
//
// The path token verifies a delivery: it is 256 random bits SmartLead was
// told and nobody else was. A webhook secret, when set, is checked on top
// (a signature header, else the body's secret_key) and upgrades
// VerifiedBy when it matches. When it does not match, the delivery is
// still taken (real deliveries carry only secret_key, SmartLead's own test
// event carries "secretkey", and a mistyped secret must not turn every
// real delivery away until SmartLead disables the webhook); OnSecretMismatch
// says so, so that the user is told plainly.
type Receiver struct {
	cfg   Config
	creds atomic.Pointer[credentials]
	mux   *http.ServeMux
}

// New returns a receiver for cfg.
func New(cfg Config) *Receiver {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Logger = cfg.Logger.With("component", "webhook")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.OnStored == nil {
		cfg.OnStored = func(event.Event) {}
	}
	if cfg.OnSelfTest == nil {
		cfg.OnSelfTest = func(string) {}
	}
	if cfg.OnDelivery == nil {
		cfg.OnDelivery = func(bool) {}
	}
	if cfg.OnSecretMismatch == nil {
		cfg.OnSecretMismatch = func(Mismatch) {}
	}
	r := &Receiver{cfg: cfg, mux: http.NewServeMux()}
	r.SetCredentials(cfg.Token, cfg.Secret)
	r.mux.HandleFunc("POST /hooks/{token}", r.receive)
	return r
}

// SetCredentials replaces the path token and the webhook secret, for
// example after the user changes the secret in the settings.
func (r *Receiver) SetCredentials(token, secret string) {
	r.creds.Store(&credentials{token: token, secret: secret})
}

// ServeHTTP serves only POST /hooks/<token>; anything else is 404 or 405.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mux.ServeHTTP(w, req)
}

func (r *Receiver) receive(w http.ResponseWriter, req *http.Request) {
	creds := r.creds.Load()
	if creds.token == "" || subtle.ConstantTimeCompare([]byte(req.PathValue("token")), []byte(creds.token)) != 1 {
		answer(w, http.StatusNotFound, "not found")
		return
	}
	if req.ContentLength > MaxBody {
		answer(w, http.StatusRequestEntityTooLarge, "body over 1 MiB")
		return
	}
	body, err := readBody(w, req)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			answer(w, http.StatusRequestEntityTooLarge, "body over 1 MiB")
			return
		}
		// The client went away, stalled or sent a broken body: say so
		// (never an implicit 200 for a delivery that was not kept).
		r.cfg.Logger.Debug("unable to read delivery", "remote", remote(req), "error", err)
		answer(w, http.StatusBadRequest, "unable to read the body")
		return
	}

	if sig := req.Header.Get(SelfTestHeader); sig != "" {
		r.selfTest(w, body, sig, creds.token)
		return
	}

	if smartlead.IsTestEvent(body) {
		noteAnswer(w, answerNote{test: true})
		writeJSON(w, http.StatusOK, map[string]any{"status": "received", "test": true})
		r.cfg.OnDelivery(true)
		return
	}
	check := verify(req, body, creds.secret)
	ev, err := smartlead.Parse(body)
	if err != nil {
		r.reject(req, body, http.StatusBadRequest, err.Error())
		answer(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := ev.CheckSubject(); err != nil {
		r.reject(req, body, http.StatusBadRequest, err.Error())
		answer(w, http.StatusBadRequest, "the payload names no lead or message")
		return
	}
	ev.ReceivedAt = r.cfg.Now().UTC()
	ev.VerifiedBy = check.by

	stored, dup, err := r.cfg.Store.Append(req.Context(), ev)
	if err != nil {
		if errors.Is(err, store.ErrCannotSave) {
			// The store says so, once, when the disk starts refusing.
			r.cfg.Logger.Debug("unable to store delivery", "type", ev.SourceType, "error", err)
		} else {
			r.cfg.Logger.Error("unable to store delivery", "type", ev.SourceType, "error", err)
		}
		// SmartLead's first retry comes a minute later.
		w.Header().Set("Retry-After", "60")
		answer(w, http.StatusServiceUnavailable, "unable to store the event, retry later")
		return
	}
	writeReceived(w, answerNote{id: stored.ID, dup: dup, header: check.header, mismatch: check.mismatch != nil})
	if check.mismatch != nil { // only about deliveries taken: a refused one says nothing of SmartLead's
		r.cfg.OnSecretMismatch(*check.mismatch)
	}
	r.cfg.OnDelivery(false)
	if !dup {
		r.cfg.OnStored(stored)
	}
}

// readBody reads the request body, at most MaxBody bytes (then it fails
// with *http.MaxBytesError). A body that states its length is read into a
// buffer of that size rather than one grown step by step.
func readBody(w http.ResponseWriter, req *http.Request) ([]byte, error) {
	body := http.MaxBytesReader(w, req.Body, MaxBody)
	n := req.ContentLength
	if n <= 0 || n > MaxBody {
		return io.ReadAll(body)
	}
	// As io.ReadAll, but starting with room for the stated length and one
	// byte more, in which the read that meets the end finds nothing.
	b := make([]byte, 0, n+1)
	for {
		m, err := body.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// writeReceived acknowledges a stored delivery. The answer is what
// writeJSON writes for {"status":"received","id":id} (with "duplicate":
// true for a duplicate), spelled out for the IDs the store makes, which
// need no escaping: this is the hot path.
func writeReceived(w http.ResponseWriter, note answerNote) {
	noteAnswer(w, note)
	id, dup := note.id, note.dup
	if id == "" || strings.Trim(id, "0123456789") != "" {
		if dup {
			writeJSON(w, http.StatusOK, map[string]any{"status": "received", "duplicate": true, "id": id})
		} else {
			writeJSON(w, http.StatusOK, map[string]any{"status": "received", "id": id})
		}
		return
	}
	b := make([]byte, 0, 64)
	if dup {
		b = append(b, `{"duplicate":true,"id":"`...)
	} else {
		b = append(b, `{"id":"`...)
	}
	b = append(b, id...)
	b = append(b, "\",\"status\":\"received\"}\n"...)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func (r *Receiver) selfTest(w http.ResponseWriter, body []byte, sig, token string) {
	want := SelfTestSignature(body, token)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		r.reject(nil, body, http.StatusUnauthorized, "webhook: bad self-test signature")
		answer(w, http.StatusUnauthorized, "signature check failed")
		return
	}
	var probe struct {
		Event string `json:"event"`
		Nonce string `json:"nonce"`
	}
	if err := json.Unmarshal(body, &probe); err != nil || probe.Event != SelfTestType {
		answer(w, http.StatusBadRequest, "malformed self-test")
		return
	}
	noteAnswer(w, answerNote{selfTest: true})
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	r.cfg.OnSelfTest(probe.Nonce)
}

// SelfTestSignature is the self-test header value for body.
func SelfTestSignature(body []byte, token string) string {
	m := hmac.New(sha256.New, []byte("leadbell-self-test:"+token))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func (r *Receiver) reject(req *http.Request, body []byte, status int, reason string) {
	// Kept across restarts: never with the webhook secret in it.
	rej := store.Rejection{At: r.cfg.Now().UTC(), Status: status, Reason: reason, Body: smartlead.Redact(body), BodySize: len(body)}
	if req != nil {
		rej.Remote = remote(req)
		rej.Headers = map[string]string{}
		for _, h := range append([]string{"Content-Type", "User-Agent"}, smartlead.SignatureHeaders...) {
			if v := req.Header.Get(h); v != "" {
				rej.Headers[h] = v
			}
		}
	}
	r.cfg.Logger.Debug("delivery rejected", "status", status, "reason", reason, "remote", rej.Remote)
	r.cfg.Store.Reject(rej)
}

// remote is the client's address: the connection's, or behind ngrok the
// one ngrok saw (see TrustForwarded).
func remote(req *http.Request) string { return req.RemoteAddr }

// TrustForwarded wraps the hook handler of a server behind ngrok: the
// client's address is the last X-Forwarded-For entry, the one ngrok
// appended (a client can put anything before it). Only use it where a
// proxy that appends one is known to be in front.
func TrustForwarded(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := r.Header.Values("X-Forwarded-For"); len(f) > 0 {
			last := f[len(f)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if last = strings.TrimSpace(last); last != "" {
				r.RemoteAddr = last
			}
			r.Header.Del("X-Forwarded-For")
		}
		next.ServeHTTP(w, r)
	})
}

func answer(w http.ResponseWriter, status int, msg string) {
	noteAnswer(w, answerNote{reason: msg})
	writeJSON(w, status, map[string]string{"status": "error", "error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
