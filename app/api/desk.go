package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/leadbell/leadbell/app/desk"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// The reply desk's calls: answer a reply (kept in the outbox for its undo
// window, then sent), take an answer back, the account's categories, set a
// lead's category, mark a reply done, snooze it.

// Desk is what the API asks of the reply desk (app/desk).
type Desk interface {
	Answer(eventID string, a desk.Answer) (store.OutboxEntry, error)
	Cancel(outboxID string) (store.OutboxEntry, error)
	Draft(eventID string) (desk.Draft, bool, error)
	SaveDraft(eventID string, d desk.Draft) (desk.Draft, error)
	DropDraft(eventID string) error
	Categories(ctx context.Context) ([]smartlead.Category, error)
	SetCategory(ctx context.Context, leadID, name string, pause bool) (event.Event, error)
	// Snoozed tells the desk a snooze began or ended.
	Snoozed()
}

// Category is one of the account's lead categories, as GET /api/categories
// lists it.
type Category struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Sentiment string `json:"sentiment,omitempty"`
}

// Outbox is an answer as the API shows it.
type Outbox struct {
	ID      string    `json:"outbox_id"`
	EventID string    `json:"event_id"`
	State   string    `json:"state"`
	SendAt  time.Time `json:"send_at"`
	SentAt  time.Time `json:"sent_at,omitzero"`
	Body    string    `json:"body"`
	CC      []string  `json:"cc,omitempty"`
	BCC     []string  `json:"bcc,omitempty"`
	// Problem says why it was not sent, in words.
	Problem string `json:"problem,omitempty"`
}

func outboxOf(e store.OutboxEntry) Outbox {
	return Outbox{ID: e.ID, EventID: e.EventID, State: string(e.State), SendAt: e.SendAt, SentAt: e.SentAt,
		Body: e.Body, CC: e.CC, BCC: e.BCC, Problem: e.Problem}
}

func (s *Server) routeDesk() {
	s.mux.HandleFunc("POST /api/events/{id}/reply", s.answer)
	s.mux.HandleFunc("GET /api/outbox", s.outbox)
	s.mux.HandleFunc("GET /api/outbox/{id}", s.outboxEntry)
	s.mux.HandleFunc("DELETE /api/outbox/{id}", s.cancelAnswer)
	s.mux.HandleFunc("GET /api/events/{id}/draft", s.draft)
	s.mux.HandleFunc("PUT /api/events/{id}/draft", s.saveDraft)
	s.mux.HandleFunc("DELETE /api/events/{id}/draft", s.dropDraft)
	s.mux.HandleFunc("GET /api/categories", s.categories)
	s.mux.HandleFunc("POST /api/leads/{lead_id}/category", s.setCategory)
}

// addresses reads cc or bcc: a comma-separated string or a list.
type addresses []string

func (a *addresses) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = strings.FieldsFunc(one, func(r rune) bool { return r == ',' || r == ';' })
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return errors.New("cc and bcc must be a string or a list of addresses")
	}
	*a = list
	return nil
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Body      string    `json:"body"`
		CC        addresses `json:"cc"`
		BCC       addresses `json:"bcc"`
		DelayS    *float64  `json:"delay_s"`
		Signature *bool     `json:"signature"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 256<<10)).Decode(&body); err != nil {
		WriteError(w, http.StatusBadRequest, "invalid", `body must be {"body": "...", "cc"?, "bcc"?, "delay_s"?}`)
		return
	}
	a := desk.Answer{Body: body.Body, CC: body.CC, BCC: body.BCC, Signature: true, Delay: -1}
	if body.Signature != nil {
		a.Signature = *body.Signature
	}
	if body.DelayS != nil {
		if *body.DelayS < 0 || *body.DelayS > 3600 {
			WriteError(w, http.StatusBadRequest, "invalid", "delay_s must be between 0 and 3600 seconds")
			return
		}
		a.Delay = time.Duration(*body.DelayS * float64(time.Second))
	}
	e, err := s.cfg.Desk.Answer(r.PathValue("id"), a)
	switch {
	case errors.Is(err, desk.ErrEmpty):
		WriteError(w, http.StatusBadRequest, "empty", "Write something before sending.")
	case errors.Is(err, desk.ErrNotAReply):
		WriteError(w, http.StatusBadRequest, "not_a_reply", "Only a lead's reply can be answered.")
	case err != nil:
		s.fail(w, r, err)
	default:
		writeJSON(w, http.StatusAccepted, outboxOf(e))
	}
}

func (s *Server) outbox(w http.ResponseWriter, r *http.Request) {
	all, err := s.cfg.Store.Outbox()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.URL.Query().Get("event_id")
	out := []Outbox{}
	for _, e := range all {
		if id == "" || e.EventID == id {
			out = append(out, outboxOf(e))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"outbox": out})
}

func (s *Server) outboxEntry(w http.ResponseWriter, r *http.Request) {
	e, err := s.cfg.Store.OutboxEntry(r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		WriteError(w, http.StatusNotFound, "not_found", "There is no such answer.")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, outboxOf(e))
}

func (s *Server) cancelAnswer(w http.ResponseWriter, r *http.Request) {
	e, err := s.cfg.Desk.Cancel(r.PathValue("id"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		WriteError(w, http.StatusNotFound, "not_found", "There is no such answer.")
	case errors.Is(err, desk.ErrTooLate):
		WriteError(w, http.StatusConflict, "too_late", "Too late: the answer has already left.")
	case err != nil:
		s.fail(w, r, err)
	default:
		writeJSON(w, http.StatusOK, outboxOf(e))
	}
}

func (s *Server) categories(w http.ResponseWriter, r *http.Request) {
	cats, err := s.cfg.Desk.Categories(r.Context())
	if errors.Is(err, desk.ErrSignedOut) {
		err = ErrSignedOut
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]Category, 0, len(cats))
	for _, c := range cats {
		out = append(out, Category{ID: c.ID, Name: c.Name, Sentiment: c.Sentiment})
	}
	writeJSON(w, http.StatusOK, map[string]any{"categories": out})
}

func (s *Server) setCategory(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Category *string `json:"category"`
		Pause    bool    `json:"pause_lead"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&body); err != nil || body.Category == nil {
		WriteError(w, http.StatusBadRequest, "invalid", `body must be {"category": "a category's name, or empty to clear it", "pause_lead"?: true}`)
		return
	}
	ev, err := s.cfg.Desk.SetCategory(r.Context(), r.PathValue("lead_id"), *body.Category, body.Pause)
	switch {
	case errors.Is(err, desk.ErrSignedOut):
		s.fail(w, r, ErrSignedOut)
	case errors.Is(err, desk.ErrUnknownCategory):
		WriteError(w, http.StatusBadRequest, "unknown_category", "SmartLead has no such category on this account.")
	case errors.Is(err, store.ErrNotFound):
		WriteError(w, http.StatusNotFound, "not_found", "Leadbell knows no such lead.")
	case err != nil:
		s.fail(w, r, err)
	default:
		writeJSON(w, http.StatusOK, ev)
	}
}

// draft answers the draft answer to a reply, or 204 when there is none.
func (s *Server) draft(w http.ResponseWriter, r *http.Request) {
	d, ok, err := s.cfg.Desk.Draft(r.PathValue("id"))
	switch {
	case err != nil:
		s.fail(w, r, err)
	case !ok:
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusOK, d)
	}
}

func (s *Server) saveDraft(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Body      string    `json:"body"`
		CC        addresses `json:"cc"`
		BCC       addresses `json:"bcc"`
		Signature *bool     `json:"signature"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 256<<10)).Decode(&body); err != nil {
		WriteError(w, http.StatusBadRequest, "invalid", `body must be {"body": "...", "cc"?, "bcc"?, "signature"?}`)
		return
	}
	d := desk.Draft{Body: body.Body, CC: body.CC, BCC: body.BCC, Signature: body.Signature == nil || *body.Signature}
	saved, err := s.cfg.Desk.SaveDraft(r.PathValue("id"), d)
	if errors.Is(err, desk.ErrEmpty) {
		WriteError(w, http.StatusBadRequest, "too_long", "This answer is too long to keep.")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, saved)
}

func (s *Server) dropDraft(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Desk.DropDraft(r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
