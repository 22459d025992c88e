package simulator

import (
	"net/http"
	"strconv"

	"github.com/leadbell/leadbell/event"
)

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
	if ev.Type == event.Replied && !known(ev.MessageID) {
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
