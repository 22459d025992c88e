package api

import (
	"net/http"

	"github.com/leadbell/leadbell/event"
)

// deleteEvent deletes an event for good (DELETE /api/events/{id}). The store
// keeps a tombstone, so SmartLead redelivering it does not bring it back.
// Like every state-changing call it is refused cross-site (see Handler).
// Open event streams are told, with a "deleted" message.
func (s *Server) deleteEvent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.cfg.Store.Delete(id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.deletions.Publish(event.Event{ID: id})
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true})
}
