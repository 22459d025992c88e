package simulator

import (
	"fmt"
	"net/http"

	"github.com/leadbell/leadbell/app/smartlead"
)

// The global webhook API as SmartLead's current docs give it (FamilyBoth
// only): POST /webhook/create with a string association_type and an
// event_type_map keyed by live names, GET /webhook/{id},
// PUT /webhook/update/{id}, DELETE /webhook/delete with the id in the
// body. The spec's integer association_type and spec-named keys are the
// old page's, and refused.

// saveAnswer is the answer to a global create or update, in SmartLead's
// order.
type saveAnswer struct {
	OK         bool   `json:"ok"`
	ID         any    `json:"id"`
	WebhookURL string `json:"webhook_url"`
}

// level is a webhook's association_type.
func level(w smartlead.Webhook) string {
	switch {
	case w.CampaignID != "":
		return "campaign"
	case w.ClientID != "":
		return "client"
	}
	return "user"
}

// checkLevel reads association_type and the id that goes with it into w;
// status is 400 or 404 when the body is refused.
func (s *Server) checkLevel(body map[string]any, w *smartlead.Webhook) (status int, msg string) {
	v, present := body["association_type"]
	if !present {
		return http.StatusBadRequest, `"association_type" is required`
	}
	switch v {
	case "user":
	case "campaign":
		w.CampaignID, status, msg = checkOwner(body, "email_campaign_id", s.gen.hasCampaign, "Campaign not found")
	case "client":
		w.ClientID, status, msg = checkOwner(body, "client_id", s.gen.hasClient, "Client not found")
	default:
		return http.StatusBadRequest, `"association_type" must be one of [user, client, campaign]`
	}
	return status, msg
}

// checkOwner reads the id of the campaign or client a webhook belongs to
// from body[key]: 400 when it is missing or not a number, 404 with
// notFound when exists says there is no such one.
func checkOwner(body map[string]any, key string, exists func(string) bool, notFound string) (id string, status int, msg string) {
	id, msg = checkID(body[key])
	switch {
	case msg != "":
		return "", http.StatusBadRequest, fmt.Sprintf("%q must be a number", key)
	case id == "":
		return "", http.StatusBadRequest, fmt.Sprintf("%q is required", key)
	case !exists(id):
		return "", http.StatusNotFound, notFound
	}
	return id, 0, ""
}

// globalCreate registers a webhook at user, client or campaign level. An
// absent categories list is allowed; the webhook then gets no
// LEAD_CATEGORY_UPDATED events, since no category is in it.
func (s *Server) globalCreate(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(r)
	if !ok {
		fail(w, http.StatusBadRequest, badJSON)
		return
	}
	f, at, status, msg := s.checkCreate(body)
	if msg != "" {
		fail(w, status, msg)
		return
	}
	s.mu.Lock()
	h := s.newHook(at)
	s.save(h, f)
	saved := cloneWebhook(h.w)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, saveAnswer{OK: true, ID: numericID(saved.ID), WebhookURL: saved.URL})
	s.sendTestEvent(saved)
}

// checkCreate reads a create body in the schema's order: name,
// webhook_url, association_type with its id, event_type_map, categories.
func (s *Server) checkCreate(body map[string]any) (f hookForm, at smartlead.Webhook, status int, msg string) {
	bad := http.StatusBadRequest
	if f.name, msg = checkName(body); msg != "" {
		return f, at, bad, msg
	}
	if f.url, msg = checkURL(body); msg != "" {
		return f, at, bad, msg
	}
	if status, msg = s.checkLevel(body, &at); msg != "" {
		return f, at, status, msg
	}
	if f.types, msg = checkEventTypeMap(body); msg != "" {
		return f, at, bad, msg
	}
	if v, present := body["categories"]; present {
		if f.categories, msg = s.checkCategories(v); msg != "" {
			return f, at, bad, msg
		}
	}
	return f, at, 0, ""
}

// globalView is a webhook as GET /webhook/{id} shows it; no is_active.
func globalView(h *hook) map[string]any {
	types := map[string]bool{}
	for _, t := range h.w.EventTypes {
		types[liveNameOf(t)] = true
	}
	return map[string]any{"id": numericID(h.w.ID), "name": h.w.Name, "webhook_url": h.w.URL,
		"association_type": level(h.w), "email_campaign_id": numericID(h.w.CampaignID),
		"client_id": numericID(h.w.ClientID), "event_type_map": types,
		"categories": append([]string{}, h.w.Categories...),
		"created_at": h.created.UTC().Format(liveTime), "updated_at": h.updated.UTC().Format(liveTime)}
}

func (s *Server) globalGet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.hooks[r.PathValue("id")]
	var view map[string]any
	if h != nil {
		view = globalView(h)
	}
	s.mu.Unlock()
	if h == nil {
		fail(w, http.StatusNotFound, "Webhook not found")
		return
	}
	writeJSON(w, http.StatusOK, view)
}

// globalUpdate saves a webhook of any level with the per-campaign form
// (name, webhook_url, event_types, categories); it re-enables it and
// sends a test event.
func (s *Server) globalUpdate(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(r)
	if !ok {
		fail(w, http.StatusBadRequest, badJSON)
		return
	}
	s.mu.Lock()
	h := s.hooks[r.PathValue("id")]
	s.mu.Unlock()
	if h == nil {
		fail(w, http.StatusNotFound, "Webhook not found")
		return
	}
	f, msg := s.checkForm(body)
	if msg != "" {
		fail(w, http.StatusBadRequest, msg)
		return
	}
	s.mu.Lock()
	if s.hooks[h.w.ID] != h { // deleted meanwhile
		s.mu.Unlock()
		fail(w, http.StatusNotFound, "Webhook not found")
		return
	}
	s.save(h, f)
	saved := cloneWebhook(h.w)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, saveAnswer{OK: true, ID: numericID(saved.ID), WebhookURL: saved.URL})
	s.sendTestEvent(saved)
}

func (s *Server) globalDelete(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(r)
	if !ok {
		fail(w, http.StatusBadRequest, badJSON)
		return
	}
	id, ok := requiredID(w, body)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hooks[id] == nil {
		fail(w, http.StatusNotFound, "Webhook not found")
		return
	}
	delete(s.hooks, id)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}
