package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/leadbell/leadbell/event"
)

// Done and snooze: the reply desk's marks on an event. Each change goes to
// every open event stream as an "updated" message, so other windows follow.

func (s *Server) setDone(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Done *bool `json:"done"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&body); err != nil || body.Done == nil {
		WriteError(w, http.StatusBadRequest, "invalid", `body must be {"done": true} or {"done": false}`)
		return
	}
	ev, err := s.cfg.Store.SetDone(r.PathValue("id"), *body.Done)
	s.changed(w, r, ev, err)
}

// snooze takes {"until": an RFC 3339 time in the future} to snooze, or
// {"until": null} to end a snooze.
func (s *Server) snooze(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Until *time.Time `json:"until"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&body); err != nil {
		WriteError(w, http.StatusBadRequest, "invalid", `body must be {"until": "2027-01-04T09:00:00+01:00"} or {"until": null}`)
		return
	}
	var until time.Time
	if body.Until != nil {
		if !body.Until.After(time.Now()) {
			WriteError(w, http.StatusBadRequest, "invalid", "Pick a time in the future.")
			return
		}
		until = *body.Until
	}
	ev, err := s.cfg.Store.Snooze(r.PathValue("id"), until)
	if err == nil && s.cfg.Desk != nil {
		s.cfg.Desk.Snoozed()
	}
	s.changed(w, r, ev, err)
}

// changed answers a changed event and tells the streams.
func (s *Server) changed(w http.ResponseWriter, r *http.Request, ev event.Event, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.cfg.Changes.Publish(ev)
	writeJSON(w, http.StatusOK, ev)
}
