package simulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
)

// routes is the fake's API. Routes the account does not have are left
// out, so they get the catch-all's 404, as a real missing route does.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/campaigns", s.listCampaigns)
	mux.HandleFunc("GET /api/v1/campaigns/{$}", s.listCampaigns) // SmartLead tolerates the slash
	mux.HandleFunc("GET /api/v1/leads/fetch-categories", s.fetchCategories)
	// The per-campaign webhook API: every account has it.
	mux.HandleFunc("POST /api/v1/campaigns/{cid}/webhooks", s.campaignUpsert)
	mux.HandleFunc("GET /api/v1/campaigns/{cid}/webhooks", s.campaignList)
	mux.HandleFunc("DELETE /api/v1/campaigns/{cid}/webhooks", s.campaignDelete)
	mux.HandleFunc("GET /api/v1/campaigns/{cid}/webhooks/summary", s.campaignSummary)
	mux.HandleFunc("POST /api/v1/campaigns/{cid}/webhooks/retrigger-failed-events", s.campaignRetrigger)
	if s.opts.Family == FamilyBoth {
		// The global API as SmartLead's current docs give it. The old
		// page's DELETE /webhook/delete/{id} is not here: it is missing.
		mux.HandleFunc("POST /api/v1/webhook/create", s.globalCreate)
		mux.HandleFunc("GET /api/v1/webhook/{id}", s.globalGet)
		mux.HandleFunc("PUT /api/v1/webhook/update/{id}", s.globalUpdate)
		mux.HandleFunc("DELETE /api/v1/webhook/delete", s.globalDelete)
	}
	mux.HandleFunc("GET /api/v1/campaigns/{cid}/leads/{lid}/message-history", s.messageHistory)
	mux.HandleFunc("POST /api/v1/campaigns/{cid}/reply-email-thread", s.replyInThread)
	mux.HandleFunc("POST /api/v1/campaigns/{cid}/leads/{lid}/category", s.setLeadCategory)
	mux.HandleFunc("/", s.routeMissing)
	return s.gate(mux)
}

// routeMissing answers like Express's default handler for an unknown
// route, or with Options.MissingRouteJSON like a gateway that turns it
// into JSON.
func (s *Server) routeMissing(w http.ResponseWriter, r *http.Request) {
	msg := fmt.Sprintf("Cannot %s %s", r.Method, r.URL.Path)
	if s.opts.MissingRouteJSON {
		fail(w, http.StatusNotFound, msg)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>%s</pre>\n</body>\n</html>\n",
		html.EscapeString(msg))
}

// statusRecorder keeps the status a handler answered, for Calls.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// gate records each call, plays FailNext and checks the api_key.
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			s.mu.Lock()
			s.calls = append(s.calls, Call{Method: r.Method, Path: r.URL.Path, Status: cmp.Or(rec.status, http.StatusOK)})
			s.mu.Unlock()
		}()
		s.mu.Lock()
		failWith := 0
		if s.failN > 0 {
			s.failN--
			failWith = s.failStatus
		}
		s.mu.Unlock()
		switch key := r.URL.Query().Get("api_key"); {
		case failWith == http.StatusTooManyRequests:
			rec.Header().Set("Retry-After", "1")
			writeJSON(rec, failWith, map[string]any{"error": map[string]any{
				"code": "RATE_LIMIT_EXCEEDED", "message": "Rate limit exceeded", "retry_after": 1}})
		case failWith != 0:
			fail(rec, failWith, http.StatusText(failWith))
		case key == "":
			fail(rec, http.StatusUnauthorized, "api_key is required")
		case key == s.noKey:
			fail(rec, http.StatusForbidden, "Access denied")
		case key != s.apiKey:
			writeJSON(rec, http.StatusUnauthorized, map[string]any{"error": "Invalid API Key"})
		default:
			next.ServeHTTP(rec, r)
		}
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers SmartLead's usual error body, {"message": msg}.
func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg})
}

// badJSON is what SmartLead's body parser says about a body that is not a
// JSON object.
const badJSON = "Unexpected token in JSON at position 0"

// readBody decodes a JSON object, keeping numbers exact; ok is false when
// the body is not one.
func readBody(r *http.Request) (map[string]any, bool) {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

// numericID renders an id as the JSON number SmartLead sends, or null.
func numericID(id string) any {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return n
	}
	return nil
}

func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request) {
	out := []map[string]any{}
	for i, c := range s.gen.records() {
		out = append(out, map[string]any{
			"id": numericID(c.ID), "user_id": 20417, "created_at": c.created.Format(liveTime),
			"updated_at": c.created.AddDate(0, 1, i).Format(liveTime), "status": c.Status, "name": c.Name,
			"track_settings": []string{}, "scheduler_cron_value": map[string]any{"tz": "Europe/Berlin", "days": []int{1, 2, 3, 4, 5}, "endHour": "17:00", "startHour": "09:00"},
			"min_time_btwn_emails": 10, "max_leads_per_day": 50, "stop_lead_settings": "REPLY_TO_AN_EMAIL",
			"unsubscribe_text": "", "client_id": numericID(c.clientID), "enable_ai_esp_matching": false,
			"send_as_plain_text": i%2 == 0, "follow_up_percentage": 40,
		})
	}
	writeJSON(w, http.StatusOK, out)
}
