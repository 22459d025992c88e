package simulator

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Acting on a reply, as the evidence gives it (docs/smartlead-api.md,
// "Acting on a reply"; app/smartlead/client_reply.go names the sources):
// POST /campaigns/{cid}/reply-email-thread answers a lead in its thread,
// POST /campaigns/{cid}/leads/{lid}/category sets a lead's category. What
// SmartLead answers for a thread it does not know is not attested; the
// fake answers 400 "... not found", which the client takes as
// smartlead.ErrThreadNotFound whether it comes as a 400 or a 404.

// ThreadReply is an answer SmartLead accepted, as sent.
type ThreadReply struct {
	CampaignID     string
	StatsID        string
	Body           string // HTML
	ReplyMessageID string
	ReplyTime      time.Time
	ReplyBody      string
	CC, BCC        string
	AddSignature   bool
	At             time.Time
}

// ThreadReplies returns the answers accepted so far, in order.
func (s *Server) ThreadReplies() []ThreadReply {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.replies)
}

// LeadCategory is the category set on a lead through the API ("" when
// none was, or it was cleared) and whether its sequence was paused.
func (s *Server) LeadCategory(campaignID, leadID string) (category string, paused bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.leadStates[campaignID+"/"+leadID]
	return st.category, st.paused
}

// leadState is what the API changed on a lead.
type leadState struct {
	category string
	paused   bool
}

// replyTimeLayouts are the times reply_email_time is read in: the
// evidence says a full ISO time with milliseconds and Z; RFC 3339 without
// them is taken too, anything else refused.
var replyTimeLayouts = []string{"2006-01-02T15:04:05.000Z", time.RFC3339Nano}

func (s *Server) replyInThread(w http.ResponseWriter, r *http.Request) {
	cid, body, ok := s.campaignRequest(w, r, true)
	if !ok {
		return
	}
	str := func(k string) string { v, _ := body[k].(string); return v }
	statsID, _ := checkID(body["email_stats_id"])
	if statsID == "" {
		statsID = str("email_stats_id") // stats ids are UUIDs on some accounts
	}
	// The five fields the reference marks required; reply_email_body may
	// be empty (a reply can be a bare quote), the others may not.
	required := map[string]bool{"email_stats_id": statsID != "", "email_body": str("email_body") != "",
		"reply_message_id": str("reply_message_id") != "", "reply_email_time": str("reply_email_time") != ""}
	_, required["reply_email_body"] = body["reply_email_body"]
	for _, k := range []string{"email_stats_id", "email_body", "reply_message_id", "reply_email_time", "reply_email_body"} {
		if !required[k] {
			fail(w, http.StatusBadRequest, `"`+k+`" is required`)
			return
		}
	}
	var at time.Time
	for _, layout := range replyTimeLayouts {
		if t, err := time.Parse(layout, str("reply_email_time")); err == nil {
			at = t
			break
		}
	}
	if at.IsZero() {
		fail(w, http.StatusBadRequest, `"reply_email_time" must be a valid ISO 8601 date`)
		return
	}
	for _, k := range []string{"cc", "bcc"} {
		if v, present := body[k]; present && v != nil {
			if _, ok := v.(string); !ok {
				fail(w, http.StatusBadRequest, `"`+k+`" must be a string`)
				return
			}
		}
	}
	signature, ok := optionalBool(w, body, "add_signature", true)
	if !ok {
		return
	}
	s.mu.Lock()
	lead, item, found := s.threadOf(cid, statsID, str("reply_message_id"))
	if !found {
		s.mu.Unlock()
		fail(w, http.StatusBadRequest, "Email stats not found for this campaign")
		return
	}
	now := time.Now().UTC()
	s.replies = append(s.replies, ThreadReply{CampaignID: cid, StatsID: statsID, Body: str("email_body"),
		ReplyMessageID: str("reply_message_id"), ReplyTime: at, ReplyBody: str("reply_email_body"),
		CC: str("cc"), BCC: str("bcc"), AddSignature: signature, At: now})
	k := cid + "/" + lead
	s.history[k] = append(s.history[k], historyItem{
		StatsID: statsID, From: item.To, To: item.From, Type: "SENT",
		MessageID: "<" + strconv.Itoa(len(s.replies)) + ".leadbell-answer@" + mailDomain(item.To) + ">",
		Time:      now.Format(liveTime), EmailBody: str("email_body"),
		Subject: "Re: " + strings.TrimPrefix(item.Subject, "Re: "), SeqNumber: item.SeqNumber,
	})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "data": "success"})
}

// threadOf finds the lead of campaign cid whose history holds the e-mail
// with stats id statsID or Message-ID messageID, and that e-mail. s.mu is
// held.
func (s *Server) threadOf(cid, statsID, messageID string) (lead string, item historyItem, ok bool) {
	for k, h := range s.history {
		c, l, _ := strings.Cut(k, "/")
		if c != cid {
			continue
		}
		for _, it := range h {
			if it.Type == "REPLY" && (statsID != "" && it.StatsID == statsID || it.MessageID == messageID) {
				return l, it, true
			}
		}
	}
	return "", historyItem{}, false
}

func mailDomain(addr string) string {
	if _, d, ok := strings.Cut(addr, "@"); ok {
		return d
	}
	return "mail.invalid"
}

func (s *Server) setLeadCategory(w http.ResponseWriter, r *http.Request) {
	cid, body, ok := s.campaignRequest(w, r, true)
	if !ok {
		return
	}
	lid := r.PathValue("lid")
	if !slices.ContainsFunc(s.gen.Leads(), func(l Lead) bool { return l.ID == lid && l.CampaignID == cid }) {
		fail(w, http.StatusNotFound, "Lead not found in this campaign")
		return
	}
	v, present := body["category_id"]
	if !present {
		fail(w, http.StatusBadRequest, `"category_id" is required`)
		return
	}
	name := ""
	if v != nil {
		id, msg := checkID(v)
		if msg != "" {
			fail(w, http.StatusBadRequest, `"category_id" must be a number`)
			return
		}
		i := slices.IndexFunc(s.gen.Categories(), func(c Category) bool { return strconv.Itoa(c.ID) == id })
		if i < 0 {
			fail(w, http.StatusBadRequest, "Invalid category_id")
			return
		}
		name = s.gen.Categories()[i].Name
	}
	pause, ok := optionalBool(w, body, "pause_lead", false)
	if !ok {
		return
	}
	s.mu.Lock()
	st := s.leadStates[cid+"/"+lid]
	st.category, st.paused = name, st.paused || pause
	s.leadStates[cid+"/"+lid] = st
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "data": "success"})
}

// optionalBool reads body[key], def when absent; anything but a boolean is
// answered 400 and reported as not ok.
func optionalBool(w http.ResponseWriter, body map[string]any, key string, def bool) (bool, bool) {
	v, present := body[key]
	if !present {
		return def, true
	}
	b, ok := v.(bool)
	if !ok {
		fail(w, http.StatusBadRequest, `"`+key+`" must be a boolean`)
	}
	return b, ok
}
