package smartleadtest

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
)

// liveView is a webhook as GET /campaigns/{id}/webhooks lists it.
func liveView(h *hook) map[string]any {
	types := make([]string, 0, len(h.w.EventTypes))
	for _, t := range h.w.EventTypes {
		types = append(types, liveNameOf(t))
	}
	id, _ := strconv.Atoi(h.w.ID)
	cid, _ := strconv.Atoi(h.w.CampaignID)
	return map[string]any{"id": id, "user_id": 20417, "webhook_url": h.w.URL, "email_campaign_id": cid,
		"name": h.w.Name, "association_type": 3, "event_types": types, "categories": []string{},
		"is_active": h.w.Enabled, "created_at": h.created.UTC().Format(liveTime),
		"updated_at": h.updated.UTC().Format(liveTime)}
}

// liveUpsert creates (id null) or updates (id set) a campaign's webhook.
// Saving re-enables a disabled webhook. It answers {"ok": true} only.
func (s *Server) liveUpsert(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("cid")
	if !s.campaignExists(cid) {
		fail(w, http.StatusNotFound, "Campaign not found")
		return
	}
	body, ok := readBody(r)
	if !ok {
		fail(w, http.StatusBadRequest, badJSON)
		return
	}
	name, _ := body["name"].(string)
	if strings.TrimSpace(name) == "" {
		fail(w, http.StatusBadRequest, `"name" is required`)
		return
	}
	u, ok := validURL(body["webhook_url"])
	if !ok {
		fail(w, http.StatusBadRequest, `"webhook_url" must be a valid uri`)
		return
	}
	list, _ := body["event_types"].([]any)
	var types []smartlead.EventType
	for i, v := range list {
		name, _ := v.(string)
		t, known := specTypeOf(name, false)
		if !known {
			names := make([]string, len(liveEventNames))
			for j, n := range liveEventNames {
				names[j] = n.live
			}
			fail(w, http.StatusBadRequest, fmt.Sprintf(`"event_types[%d]" must be one of [%s]`, i, strings.Join(names, ", ")))
			return
		}
		types = append(types, t)
	}
	if len(types) == 0 {
		fail(w, http.StatusBadRequest, `"event_types" must contain at least 1 items`)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := idOf(body["id"])
	h := s.hooks[id]
	switch {
	case id == "":
		h = &hook{w: smartlead.Webhook{ID: strconv.Itoa(s.nextHook), CampaignID: cid}, created: time.Now()}
		s.nextHook++
		s.hooks[h.w.ID] = h
	case h == nil || h.w.CampaignID != cid:
		fail(w, http.StatusNotFound, "Webhook not found")
		return
	}
	h.w.Name, h.w.URL, h.w.EventTypes, h.w.Enabled = name, u, sortTypes(types), true
	h.failures, h.updated = 0, time.Now()
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func (s *Server) liveList(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("cid")
	if !s.campaignExists(cid) {
		fail(w, http.StatusNotFound, "Campaign not found")
		return
	}
	out := []map[string]any{}
	for _, wh := range s.Webhooks() {
		if wh.CampaignID == cid {
			s.mu.Lock()
			if h := s.hooks[wh.ID]; h != nil {
				out = append(out, liveView(h))
			}
			s.mu.Unlock()
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) liveDelete(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("cid")
	body, ok := readBody(r)
	if !ok {
		fail(w, http.StatusBadRequest, badJSON)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := idOf(body["id"])
	if h := s.hooks[id]; h == nil || h.w.CampaignID != cid {
		fail(w, http.StatusNotFound, "Webhook not found")
		return
	}
	delete(s.hooks, id)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// window reads fromTime and toTime, from the query or a JSON body.
func window(from, to string) (time.Time, time.Time, bool) {
	f, errF := parseAPITime(from)
	t, errT := parseAPITime(to)
	return f, t, errF == nil && errT == nil && !t.Before(f)
}

func parseAPITime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("smartleadtest: not an ISO 8601 time")
}

func (s *Server) liveSummary(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("cid")
	from, to, ok := window(r.URL.Query().Get("fromTime"), r.URL.Query().Get("toTime"))
	if !ok {
		fail(w, http.StatusBadRequest, `"fromTime" and "toTime" must be ISO 8601 times`)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	total, okCount := 0, 0
	byType := map[string]int{}
	for _, d := range s.deliveries {
		if d.CampaignID != cid || d.At.Before(from) || d.At.After(to) {
			continue
		}
		total++
		if d.Status >= 200 && d.Status < 300 {
			okCount++
		}
		byType[d.EventName]++
	}
	pending := 0
	for _, f := range s.failed {
		if f.campaignID == cid && !f.at.Before(from) && !f.at.After(to) {
			pending++
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_events": total, "successful_events": okCount,
		"failed_events": total - okCount, "pending_retrigger": pending, "event_type_counts": byType})
}

func (s *Server) liveRetrigger(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("cid")
	if !s.campaignExists(cid) {
		fail(w, http.StatusNotFound, "Campaign not found")
		return
	}
	body, ok := readBody(r)
	if !ok {
		fail(w, http.StatusBadRequest, badJSON)
		return
	}
	fromS, _ := body["fromTime"].(string)
	toS, _ := body["toTime"].(string)
	from, to, ok := window(fromS, toS)
	if !ok {
		fail(w, http.StatusBadRequest, `"fromTime" and "toTime" must be ISO 8601 times`)
		return
	}
	n := s.retrigger(r.Context(), cid, from, to)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "message": fmt.Sprintf("Retriggered %d failed events", n), "count": n})
}
