package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/leadbell/leadbell/app/api"
)

// ServeHTTP serves /api/demo itself and everything else from the current
// Instance's API. A request that outlives its Instance (an event stream)
// is ended by the switch.
func (s *Session) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/demo" {
		s.csrf.Handler(http.HandlerFunc(s.serveDemo)).ServeHTTP(w, r)
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.cur == nil {
		api.WriteError(w, http.StatusServiceUnavailable, "stopped", "Leadbell is stopping.")
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(s.retired, cancel)()
	s.cur.API.ServeHTTP(w, r.WithContext(ctx))
}

// DemoState is the answer of /api/demo.
type DemoState struct {
	Demo bool `json:"demo"` // the current session is the demo
	// CanLeave is false when Leadbell was started as `leadbell demo`.
	CanLeave bool `json:"can_leave"`
}

func (s *Session) serveDemo(w http.ResponseWriter, r *http.Request) {
	var err error
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		err = s.SwitchDemo(r.Context(), true)
	case http.MethodDelete:
		err = s.SwitchDemo(r.Context(), false)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		api.WriteError(w, http.StatusMethodNotAllowed, "method_not_allowed", "Use GET, POST or DELETE.")
		return
	}
	switch {
	case errors.Is(err, ErrNoAccount):
		api.WriteError(w, http.StatusConflict, "no_account", "This Leadbell was started as leadbell demo. Quit it and start Leadbell to use your SmartLead account.")
		return
	case err != nil:
		api.WriteError(w, http.StatusInternalServerError, "switch_failed", "Leadbell could not make the switch. Try again, or restart Leadbell.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(DemoState{Demo: s.InDemo(), CanLeave: s.home != nil})
}
