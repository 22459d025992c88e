// Package api is the local JSON API and event stream that the inbox UI talks
// to, and the server of the embedded frontend. The same handler serves a
// browser over loopback TCP (wrapped in HostCheck) and the desktop window
// through Wails' asset server (not wrapped: its Host is Wails' own).
package api

import (
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/leadbell/leadbell/app/broker"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// Status is the answer of GET /api/status (a contract: see design.md).
type Status struct {
	State   string `json:"state"`
	Message string `json:"message"`
	// Detail is the technical cause of a problem state, for Diagnostics
	// and support (never a secret); Message says it in words.
	Detail      string             `json:"detail,omitempty"`
	Tunnel      string             `json:"tunnel"`
	WebhookURL  string             `json:"webhook_url"`
	WebhookID   string             `json:"webhook_id"`
	Registered  bool               `json:"registered"`
	LastEventAt *time.Time         `json:"last_event_at"`
	Counts      map[event.Type]int `json:"counts"`
	Unread      int                `json:"unread"`
	// NeedsYou counts the replies waiting for the user: unread, not done
	// or snoozed, not an out-of-office or automatic reply.
	NeedsYou int `json:"needs_you"`
	// Demo is set when the events come from the built-in simulator.
	Demo bool `json:"demo,omitempty"`
	// ConfirmedAt is when SmartLead's own test event, or its first
	// delivery, reached the current webhook address: SmartLead itself has
	// shown it can reach Leadbell. Nil until then.
	ConfirmedAt *time.Time `json:"confirmed_at"`
	// Warnings are things the user should know that do not stop Leadbell
	// (a plain-http address, a webhook secret SmartLead does not send),
	// each a sentence.
	Warnings []Warning `json:"warnings"`
	// Storage is set while Leadbell cannot save new events (state
	// cannot_save): what is wrong with the disk, and where the data is.
	Storage *Storage `json:"storage,omitempty"`
}

// Storage says why new events cannot be saved.
type Storage struct {
	// Problem is disk_full, read_only, io_error or removed.
	Problem string `json:"problem"`
	// Since is when it started.
	Since time.Time `json:"since"`
	// DataDir is where Leadbell keeps its data.
	DataDir string `json:"data_dir"`
	// FreeBytes is the space left there for this user, when known.
	FreeBytes *uint64 `json:"free_bytes,omitempty"`
}

// Warning is one entry of Status.Warnings.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Warning codes.
const (
	WarnPlainHTTP      = "plain_http"      // the public address is http://
	WarnSecretMismatch = "secret_mismatch" // deliveries carry another secret
	WarnScopeFallback  = "scope_fallback"  // account-wide webhooks are not offered
)

// The states of Status.State.
const (
	StateStarting     = "starting"
	StateListening    = "listening"
	StateStalled      = "stalled"
	StateReconnecting = "reconnecting"
	StateUnauthorized = "unauthorized"
	StateSignedOut    = "signed_out"
	StateError        = "error"
	// StateUnreachable: SmartLead cannot reach this computer yet (no
	// tunnel and no public address, or one only this network can reach),
	// so nothing is registered; the window asks for an ngrok token or a
	// public address.
	StateUnreachable = "unreachable"
	// StateCannotSave: the disk refuses new events (full, read-only, an
	// I/O error, the data folder removed): deliveries are answered 503,
	// SmartLead sends them again, and Status.Storage says what is wrong.
	StateCannotSave = "cannot_save"
)

// Config holds the server's collaborators.
type Config struct {
	Store   *store.Store
	Broker  *broker.Broker
	Control Control // settings, sign-in, inspector; nil serves none of those
	Desk    Desk    // answers and categories; nil serves none of those
	// Changes carries events changed outside the API (a reply back from a
	// snooze) to the event streams, as "updated"; nil: only the API's own.
	Changes *broker.Broker
	// Status reports the connection half of the status (state, message,
	// tunnel, webhook); the server fills in the counts from the store.
	Status func() Status
	Assets fs.FS // the built frontend; index.html at its root
	Logger *slog.Logger
	// Heartbeat is how often an idle event stream gets a comment line, so
	// proxies and the browser keep it open.
	Heartbeat time.Duration
}

// Server is the local API.
type Server struct {
	cfg Config
	mux *http.ServeMux
	// deletions tells every open event stream which events were deleted
	// (only their IDs are set), so that other windows drop them too.
	deletions *broker.Broker
}

// New returns the API server for cfg.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Logger = cfg.Logger.With("component", "api")
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 20 * time.Second
	}
	if cfg.Changes == nil {
		cfg.Changes = broker.New()
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), deletions: broker.New()}
	s.mux.HandleFunc("GET /api/status", s.status)
	s.mux.HandleFunc("GET /api/events", s.listEvents)
	s.mux.HandleFunc("GET /api/events/{id}", s.event)
	s.mux.HandleFunc("POST /api/events/{id}/read", s.setRead)
	s.mux.HandleFunc("POST /api/events/{id}/done", s.setDone)
	s.mux.HandleFunc("POST /api/events/{id}/snooze", s.snooze)
	s.mux.HandleFunc("DELETE /api/events/{id}", s.deleteEvent)
	s.mux.HandleFunc("GET /api/leads/{lead_id}/events", s.leadEvents)
	s.mux.HandleFunc("GET /api/stream", s.stream)
	s.mux.HandleFunc("GET /api/export", s.exportEvents)
	if cfg.Control != nil {
		s.routeControl()
	}
	if cfg.Desk != nil {
		s.routeDesk()
	}
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusNotFound, "not_found", "No such API call.")
	})
	s.mux.Handle("/", s.assets())
	return s
}

// Handler is the API with cross-site protection for state-changing calls
// and the security headers; wrap it in HostCheck when serving over TCP.
func (s *Server) Handler() http.Handler {
	csrf := http.NewCrossOriginProtection()
	return securityHeaders(csrf.Handler(s.mux))
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	st := s.cfg.Status()
	stats, err := s.cfg.Store.Stats()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st.Counts = stats.Counts
	if st.Counts == nil {
		st.Counts = map[event.Type]int{}
	}
	st.Unread, st.NeedsYou = stats.Unread, stats.NeedsYou
	if !stats.LastEventAt.IsZero() {
		t := stats.LastEventAt
		st.LastEventAt = &t
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	query := store.Query{
		Type:     event.Type(q.Get("type")),
		Campaign: q.Get("campaign"),
		Lead:     q.Get("lead"),
		Text:     q.Get("q"),
		Category: q.Get("category"),
		Triage:   q.Get("triage"),
		Before:   q.Get("before"),
	}
	for _, f := range []struct {
		name string
		set  func(bool)
	}{
		{"unread", func(b bool) { query.Unread = b }},
		{"done", func(b bool) { query.Done = &b }},
		{"snoozed", func(b bool) { query.Snoozed = &b }},
	} {
		if v := q.Get(f.name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				WriteError(w, http.StatusBadRequest, "invalid", f.name+" must be true or false")
				return
			}
			f.set(b)
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			WriteError(w, http.StatusBadRequest, "invalid", "limit must be a positive number")
			return
		}
		query.Limit = n
	}
	page, err := s.cfg.Store.List(query)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if page.Events == nil {
		page.Events = []event.Event{}
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) event(w http.ResponseWriter, r *http.Request) {
	ev, err := s.cfg.Store.Event(r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ev)
}

func (s *Server) setRead(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Read *bool `json:"read"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&body); err != nil || body.Read == nil {
		WriteError(w, http.StatusBadRequest, "invalid", `body must be {"read": true} or {"read": false}`)
		return
	}
	ev, err := s.cfg.Store.SetRead(r.PathValue("id"), *body.Read)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": ev.ID, "read": ev.Read})
}

func (s *Server) leadEvents(w http.ResponseWriter, r *http.Request) {
	evs, err := s.cfg.Store.LeadEvents(r.PathValue("lead_id"), 1000)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if evs == nil {
		evs = []event.Event{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": evs})
}

// fail answers a store error; it is the one place request failures are logged.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		WriteError(w, http.StatusNotFound, "not_found", "This event no longer exists.")
	case errors.Is(err, store.ErrBadCursor):
		WriteError(w, http.StatusBadRequest, "invalid", "bad cursor in before")
	case errors.Is(err, ErrInvalid):
		WriteError(w, http.StatusBadRequest, "invalid", invalidSentence(err))
	case errors.Is(err, ErrSignedOut):
		WriteError(w, http.StatusConflict, "signed_out", "Sign in with a SmartLead API key first.")
	case errors.Is(err, smartlead.ErrUnauthorized), errors.Is(err, smartlead.ErrNoAPIAccess):
		WriteError(w, http.StatusBadGateway, "unauthorized", "SmartLead refused the API key.")
	case errors.Is(err, smartlead.ErrUnreachable), errors.Is(err, smartlead.ErrRateLimited):
		WriteError(w, http.StatusBadGateway, "unreachable", "Leadbell cannot reach SmartLead right now.")
	default:
		s.cfg.Logger.Error("request failed", "path", r.URL.Path, "error", err)
		WriteError(w, http.StatusInternalServerError, "internal", "Something went wrong in Leadbell. Try again.")
	}
}

// invalidSentence is what an ErrInvalid error says, as a sentence for the
// user: its cause's words without the "invalid request: " and package
// prefixes Go errors carry.
func invalidSentence(err error) string {
	msg := strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")
	for _, prefix := range []string{"settings: ", "app: "} {
		msg = strings.TrimPrefix(msg, prefix)
	}
	if msg == "" {
		return "That request cannot be done."
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError answers status with the local API's one error envelope,
// {"error": a sentence for the user, "code": a word for programs}.
func WriteError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"error": msg, "code": code})
}
