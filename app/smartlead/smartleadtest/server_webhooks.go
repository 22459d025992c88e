package smartleadtest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
)

// liveEventNames are the names the live API accepts in event_types, with
// Leadbell's name for each.
var liveEventNames = []struct {
	live string
	spec smartlead.EventType
}{
	{"EMAIL_SENT", smartlead.EventSent}, {"EMAIL_OPEN", smartlead.EventOpened},
	{"EMAIL_LINK_CLICK", smartlead.EventClicked}, {"EMAIL_REPLY", smartlead.EventReplied},
	{"EMAIL_BOUNCE", smartlead.EventBounced}, {"LEAD_UNSUBSCRIBED", smartlead.EventUnsubscribed},
	{"LEAD_CATEGORY_UPDATED", "LEAD_CATEGORY_UPDATED"},
}

// specTypeOf maps a name of either family to the stored type.
func specTypeOf(name string, allowSpec bool) (smartlead.EventType, bool) {
	for _, n := range liveEventNames {
		if name == n.live || allowSpec && name == string(n.spec) {
			return n.spec, true
		}
	}
	return "", false
}

func liveNameOf(t smartlead.EventType) string {
	for _, n := range liveEventNames {
		if n.spec == t {
			return n.live
		}
	}
	return string(t)
}

// validURL is what SmartLead accepts as a webhook_url.
func validURL(v any) (string, bool) {
	s, _ := v.(string)
	u, err := url.Parse(s)
	return s, err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func (s *Server) specCreate(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(r)
	if !ok {
		fail(w, http.StatusBadRequest, badJSON)
		return
	}
	h, status, msg := s.specFields(&hook{w: smartlead.Webhook{Enabled: true}}, body, true)
	if status != 0 {
		fail(w, status, msg)
		return
	}
	s.mu.Lock()
	h.w.ID = strconv.Itoa(s.nextHook)
	s.nextHook++
	h.created, h.updated = time.Now(), time.Now()
	s.hooks[h.w.ID] = h
	s.mu.Unlock()
	id, _ := strconv.Atoi(h.w.ID)
	writeJSON(w, http.StatusOK, created{OK: true, ID: id, WebhookURL: h.w.URL})
}

// created is the answer to a spec create or update, in SmartLead's order.
type created struct {
	OK         bool   `json:"ok"`
	ID         int    `json:"id"`
	WebhookURL string `json:"webhook_url"`
}

// specFields applies a spec create/update body to h. On create every field
// is required; on update the ones present change.
func (s *Server) specFields(h *hook, body map[string]any, create bool) (*hook, int, string) {
	if v, ok := body["name"]; ok || create {
		name, _ := v.(string)
		if strings.TrimSpace(name) == "" {
			return nil, http.StatusBadRequest, `"name" is required`
		}
		h.w.Name = name
	}
	if v, ok := body["webhook_url"]; ok || create {
		u, ok := validURL(v)
		if !ok {
			return nil, http.StatusBadRequest, `"webhook_url" must be a valid uri`
		}
		h.w.URL = u
	}
	if v, ok := body["association_type"]; ok || create {
		switch fmt.Sprint(v) {
		case "1", "user":
			h.w.CampaignID = ""
		case "3", "campaign":
			cid := idOf(body["email_campaign_id"])
			if cid == "" {
				return nil, http.StatusBadRequest, `"email_campaign_id" is required for campaign level webhooks`
			}
			if !s.campaignExists(cid) {
				return nil, http.StatusNotFound, "Campaign not found"
			}
			h.w.CampaignID = cid
		case "2", "client":
			return nil, http.StatusBadRequest, `"client_id" is required for client level webhooks`
		default:
			return nil, http.StatusBadRequest, `"association_type" must be one of [1, 2, 3]`
		}
	}
	if v, ok := body["event_type_map"]; ok || create {
		m, _ := v.(map[string]any)
		var types []smartlead.EventType
		for name, on := range m {
			t, known := specTypeOf(name, true)
			if !known {
				return nil, http.StatusBadRequest, fmt.Sprintf("Invalid event type %q", name)
			}
			if on == true {
				types = append(types, t)
			}
		}
		if len(types) == 0 {
			return nil, http.StatusBadRequest, `"event_type_map" must enable at least one event`
		}
		h.w.EventTypes = sortTypes(types)
	}
	if v, ok := body["is_active"].(bool); ok {
		h.w.Enabled = v
		if v {
			h.failures = 0
		}
	}
	return h, 0, ""
}

func sortTypes(ts []smartlead.EventType) []smartlead.EventType {
	rank := func(t smartlead.EventType) int {
		for i, n := range liveEventNames {
			if n.spec == t {
				return i
			}
		}
		return len(liveEventNames)
	}
	slices.SortFunc(ts, func(a, b smartlead.EventType) int { return rank(a) - rank(b) })
	return slices.Compact(ts)
}

// specView is a webhook as GET /webhook/{id} shows it.
func specView(h *hook) map[string]any {
	m := map[string]any{}
	for _, t := range h.w.EventTypes {
		m[string(t)] = true
	}
	id, _ := strconv.Atoi(h.w.ID)
	var cid any
	assoc := 1
	if h.w.CampaignID != "" {
		n, _ := strconv.Atoi(h.w.CampaignID)
		cid, assoc = n, 3
	}
	return map[string]any{"id": id, "user_id": 20417, "name": h.w.Name, "webhook_url": h.w.URL,
		"association_type": assoc, "email_campaign_id": cid, "event_type_map": m,
		"is_active": h.w.Enabled, "created_at": h.created.UTC().Format(liveTime),
		"updated_at": h.updated.UTC().Format(liveTime)}
}

func (s *Server) specGet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.hooks[r.PathValue("id")]
	var view map[string]any
	if h != nil {
		view = specView(h)
	}
	s.mu.Unlock()
	if h == nil {
		fail(w, http.StatusNotFound, "Webhook not found")
		return
	}
	writeJSON(w, http.StatusOK, view)
}

func (s *Server) specUpdate(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(r)
	if !ok {
		fail(w, http.StatusBadRequest, badJSON)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hooks[r.PathValue("id")]
	if h == nil {
		fail(w, http.StatusNotFound, "Webhook not found")
		return
	}
	next := *h
	if _, status, msg := s.specFields(&next, body, false); status != 0 {
		fail(w, status, msg)
		return
	}
	next.updated = time.Now()
	*h = next
	id, _ := strconv.Atoi(h.w.ID)
	writeJSON(w, http.StatusOK, created{OK: true, ID: id, WebhookURL: h.w.URL})
}

func (s *Server) specDelete(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	if s.hooks[id] == nil {
		fail(w, http.StatusNotFound, "Webhook not found")
		return
	}
	delete(s.hooks, id)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}
