package smartleadtest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
)

// routes is the fake's API. Routes of a family the server does not speak
// are left out, so they get the catch-all's Express-style HTML 404, as a
// real missing route does.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/campaigns", s.listCampaigns)
	mux.HandleFunc("GET /api/v1/campaigns/{$}", s.listCampaigns) // SmartLead tolerates the slash
	if s.opts.Family != FamilyLive {
		mux.HandleFunc("POST /api/v1/webhook/create", s.specCreate)
		mux.HandleFunc("GET /api/v1/webhook/{id}", s.specGet)
		mux.HandleFunc("PUT /api/v1/webhook/update/{id}", s.specUpdate)
		mux.HandleFunc("DELETE /api/v1/webhook/delete/{id}", s.specDelete)
	}
	if s.opts.Family != FamilySpec {
		mux.HandleFunc("POST /api/v1/campaigns/{cid}/webhooks", s.liveUpsert)
		mux.HandleFunc("GET /api/v1/campaigns/{cid}/webhooks", s.liveList)
		mux.HandleFunc("DELETE /api/v1/campaigns/{cid}/webhooks", s.liveDelete)
		mux.HandleFunc("GET /api/v1/campaigns/{cid}/webhooks/summary", s.liveSummary)
		mux.HandleFunc("POST /api/v1/campaigns/{cid}/webhooks/retrigger-failed-events", s.liveRetrigger)
	}
	// Not a webhook route: every account has it, whichever webhook API it offers.
	mux.HandleFunc("GET /api/v1/campaigns/{cid}/leads/{lid}/message-history", s.messageHistory)
	mux.HandleFunc("/", routeMissing)
	return s.gate(mux)
}

// routeMissing answers like Express's default handler for an unknown route.
func routeMissing(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot %s %s</pre>\n</body>\n</html>\n",
		r.Method, html.EscapeString(r.URL.Path))
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
		fail := 0
		if s.failN > 0 {
			s.failN--
			fail = s.failStatus
		}
		s.mu.Unlock()
		switch key := r.URL.Query().Get("api_key"); {
		case fail == http.StatusTooManyRequests:
			rec.Header().Set("Retry-After", "1")
			writeJSON(rec, fail, map[string]any{"message": "Rate limit exceeded. Please retry after 1 second(s)", "retry_after": 1})
		case fail != 0:
			writeJSON(rec, fail, map[string]any{"message": http.StatusText(fail)})
		case key == "":
			writeJSON(rec, http.StatusUnauthorized, map[string]any{"message": "api_key is required"})
		case key == s.noKey:
			writeJSON(rec, http.StatusForbidden, map[string]any{"message": "Access denied"})
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

// idOf reads an id sent as a number or a string; "" for null or absent.
func idOf(v any) string {
	switch v := v.(type) {
	case json.Number:
		return v.String()
	case string:
		return v
	}
	return ""
}

func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request) {
	created := time.Date(2024, 9, 2, 8, 0, 0, 0, time.UTC)
	var out []map[string]any
	for i, c := range s.gen.Campaigns() {
		id, _ := strconv.Atoi(c.ID)
		out = append(out, map[string]any{
			"id": id, "user_id": 20417, "created_at": created.AddDate(0, 0, i*9).Format(liveTime),
			"updated_at": created.AddDate(0, 1, i).Format(liveTime), "status": c.Status, "name": c.Name,
			"track_settings": []string{}, "scheduler_cron_value": map[string]any{"tz": "Europe/Berlin", "days": []int{1, 2, 3, 4, 5}, "endHour": "17:00", "startHour": "09:00"},
			"min_time_btwn_emails": 10, "max_leads_per_day": 50, "stop_lead_settings": "REPLY_TO_AN_EMAIL",
			"unsubscribe_text": "", "client_id": nil, "enable_ai_esp_matching": false,
			"send_as_plain_text": i%2 == 0, "follow_up_percentage": 40,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) campaignExists(id string) bool {
	for _, c := range s.gen.Campaigns() {
		if c.ID == id {
			return true
		}
	}
	return false
}

// historyItem is one e-mail of a lead's thread, as message-history lists it.
type historyItem struct {
	StatsID   string `json:"stats_id"`
	From      string `json:"from"`
	To        string `json:"to"`
	Type      string `json:"type"`
	MessageID string `json:"message_id"`
	Time      string `json:"time"`
	EmailBody string `json:"email_body"`
	Subject   string `json:"subject"`
	SeqNumber any    `json:"email_seq_number"`
	OpenCount int    `json:"open_count"`
}

// remember adds the e-mails an event reveals to the lead's history.
func (s *Server) remember(ev Sample) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := ev.Campaign.ID + "/" + ev.Lead.ID
	h := s.history[k]
	known := func(id string) bool {
		for _, it := range h {
			if it.MessageID == id {
				return true
			}
		}
		return false
	}
	if ev.Sent.MessageID != "" && !known(ev.Sent.MessageID) {
		h = append(h, historyItem{StatsID: ev.StatsID, From: ev.FromEmail, To: ev.Lead.Email, Type: "SENT",
			MessageID: ev.Sent.MessageID, Time: ev.Sent.At.UTC().Format(liveTime), EmailBody: ev.Sent.HTML,
			Subject: ev.Sent.Subject, SeqNumber: strconv.Itoa(ev.Sequence)})
	}
	if ev.Type == smartlead.EventReplied && !known(ev.MessageID) {
		body := ev.BodyHTML
		if body == "" {
			body = "<div>" + htmlEscape(ev.Body) + "</div>"
		}
		h = append(h, historyItem{StatsID: ev.StatsID, From: ev.RepliedFrom, To: ev.FromEmail, Type: "REPLY",
			MessageID: ev.MessageID, Time: ev.At.UTC().Format(liveTime), EmailBody: body,
			Subject: ev.Subject, SeqNumber: strconv.Itoa(ev.Sequence)})
	}
	s.history[k] = h
}

func (s *Server) messageHistory(w http.ResponseWriter, r *http.Request) {
	cid, lid := r.PathValue("cid"), r.PathValue("lid")
	var lead *Lead
	for _, l := range s.gen.Leads() {
		if l.ID == lid && l.CampaignID == cid {
			lead = &l
			break
		}
	}
	if lead == nil {
		fail(w, http.StatusNotFound, "Lead not found in this campaign")
		return
	}
	s.mu.Lock()
	h := append([]historyItem{}, s.history[cid+"/"+lid]...)
	s.mu.Unlock()
	from := ""
	if len(h) > 0 {
		from = h[0].From
	}
	writeJSON(w, http.StatusOK, map[string]any{"history": h, "from": from, "to": lead.Email})
}
