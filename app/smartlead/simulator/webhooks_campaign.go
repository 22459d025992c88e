package simulator

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
)

// The per-campaign webhook API, /campaigns/{cid}/webhooks: the one every
// account has and independent code uses.

// savedView is the webhook a per-campaign upsert answers: its maps of
// event types and category ids, as SmartLead stores it. s.mu must be held.
func (s *Server) savedView(h *hook) map[string]any {
	types := map[string]bool{}
	for _, t := range h.w.EventTypes {
		types[liveNameOf(t)] = true
	}
	cats := map[string]bool{}
	for _, name := range h.w.Categories {
		if c, ok := s.categoryNamed(name); ok {
			cats[strconv.Itoa(c.ID)] = true
		}
	}
	return map[string]any{"id": numericID(h.w.ID), "name": h.w.Name, "webhook_url": h.w.URL,
		"email_campaign_id": numericID(h.w.CampaignID), "event_type_map": types, "category_id_map": cats,
		"created_at": h.created.UTC().Format(liveTime), "updated_at": h.updated.UTC().Format(liveTime)}
}

// listView is a webhook as GET /campaigns/{cid}/webhooks lists it: live
// names and category names, and no is_active (a disabled webhook looks
// like any other).
func listView(h *hook) map[string]any {
	types := make([]string, 0, len(h.w.EventTypes))
	for _, t := range h.w.EventTypes {
		types = append(types, liveNameOf(t))
	}
	return map[string]any{"id": numericID(h.w.ID), "name": h.w.Name, "webhook_url": h.w.URL,
		"email_campaign_id": numericID(h.w.CampaignID), "event_types": types,
		"categories": append([]string{}, h.w.Categories...),
		"created_at": h.created.UTC().Format(liveTime), "updated_at": h.updated.UTC().Format(liveTime)}
}

// campaignUpsert creates (id null) or updates (id set) a campaign's
// webhook and answers it as saved. Saving re-enables a webhook disabled
// after failed deliveries, and sends it a test event.
func (s *Server) campaignUpsert(w http.ResponseWriter, r *http.Request) {
	cid, body, ok := s.campaignRequest(w, r, true)
	if !ok {
		return
	}
	id, msg := checkID(body["id"])
	if msg != "" {
		fail(w, http.StatusBadRequest, msg)
		return
	}
	f, msg := s.checkForm(body)
	if msg != "" {
		fail(w, http.StatusBadRequest, msg)
		return
	}
	s.mu.Lock()
	h := s.hooks[id]
	switch {
	case id == "":
		h = s.newHook(smartlead.Webhook{CampaignID: cid})
	case h == nil || h.w.CampaignID != cid:
		s.mu.Unlock()
		fail(w, http.StatusNotFound, "Webhook not found")
		return
	}
	s.save(h, f)
	view, saved := s.savedView(h), cloneWebhook(h.w)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, view)
	s.sendTestEvent(saved)
}

func (s *Server) campaignList(w http.ResponseWriter, r *http.Request) {
	cid, _, ok := s.campaignRequest(w, r, false)
	if !ok {
		return
	}
	s.mu.Lock()
	var hooks []*hook
	for _, h := range s.hooks {
		if h.w.CampaignID == cid {
			hooks = append(hooks, h)
		}
	}
	slices.SortFunc(hooks, func(a, b *hook) int { return idCompare(a.w.ID, b.w.ID) })
	out := []map[string]any{}
	for _, h := range hooks {
		out = append(out, listView(h))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) campaignDelete(w http.ResponseWriter, r *http.Request) {
	cid, body, ok := s.campaignRequest(w, r, true)
	if !ok {
		return
	}
	id, ok := requiredID(w, body)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.hooks[id]; h == nil || h.w.CampaignID != cid {
		fail(w, http.StatusNotFound, "Webhook not found")
		return
	}
	delete(s.hooks, id)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// campaignRequest reads the campaign of the path and, with withBody, the
// request's JSON body; when either is refused it answers and reports
// false.
func (s *Server) campaignRequest(w http.ResponseWriter, r *http.Request, withBody bool) (cid string, body map[string]any, ok bool) {
	cid = r.PathValue("cid")
	if !s.gen.hasCampaign(cid) {
		fail(w, http.StatusNotFound, "Campaign not found")
		return "", nil, false
	}
	if !withBody {
		return cid, nil, true
	}
	if body, ok = readBody(r); !ok {
		fail(w, http.StatusBadRequest, badJSON)
	}
	return cid, body, ok
}

// requiredID reads the webhook id a delete names in its body; when it is
// missing or not a number it answers 400 and reports false.
func requiredID(w http.ResponseWriter, body map[string]any) (string, bool) {
	id, msg := checkID(body["id"])
	if msg == "" && id == "" {
		msg = `"id" is required`
	}
	if msg != "" {
		fail(w, http.StatusBadRequest, msg)
		return "", false
	}
	return id, true
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
	return time.Time{}, errors.New("simulator: not an ISO 8601 time")
}

func (s *Server) campaignSummary(w http.ResponseWriter, r *http.Request) {
	cid, _, ok := s.campaignRequest(w, r, false)
	if !ok {
		return
	}
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
		if d.Test || d.CampaignID != cid || d.At.Before(from) || d.At.After(to) {
			continue
		}
		total++
		if d.OK() {
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

func (s *Server) campaignRetrigger(w http.ResponseWriter, r *http.Request) {
	cid, body, ok := s.campaignRequest(w, r, true)
	if !ok {
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
	s.mu.Lock()
	s.retriggers++
	rid := 70000 + s.retriggers
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"ok": true,
		"message": fmt.Sprintf("Retriggered %d failed events", n), "retrigger_id": rid})
}
