package smartlead

import (
	"time"
)

// Reply is what answering a reply in its thread needs from the delivery
// that brought it: SmartLead's reply-email-thread call takes the e-mail's
// stats_id (email_stats_id) and the reply's message id, time and HTML
// (reply_message_id, reply_email_time, reply_email_body), as
// docs/smartlead-api.md ("Acting on a reply") says. HTML is written by a
// stranger: it is only ever sent back to SmartLead, never rendered.
type Reply struct {
	StatsID   string
	MessageID string
	Time      time.Time
	HTML      string
}

// ReplyOf reads the Reply out of a stored event's raw payload: the live
// shape's reply_message (or its deprecated message_id, time_replied and
// reply_body), or the spec's reply object. Fields a payload lacks are
// empty; the reply desk then asks SmartLead's message history.
func ReplyOf(raw []byte) Reply {
	var p payload
	if decodePayload(raw, &p) != nil {
		return Reply{}
	}
	r := Reply{
		StatsID:   p.StatsID.str(),
		MessageID: firstStr(p.ReplyMessage.MessageID, p.MessageID),
		Time:      firstTime(p.ReplyMessage.Time, p.TimeReplied, p.EventTimestamp),
		HTML:      firstRaw(p.ReplyMessage.HTML, p.ReplyBody),
	}
	if s := p.Reply; s != nil {
		if r.MessageID == "" {
			r.MessageID = s.MessageID.str()
		}
		if r.Time.IsZero() {
			r.Time = firstTime(s.ReceivedAt, p.Timestamp)
		}
		if r.HTML == "" {
			r.HTML = s.Body.raw()
		}
	}
	return r
}

// firstRaw returns the first of vs that is a non-empty string, as sent.
func firstRaw(vs ...value) string {
	for _, v := range vs {
		if v.kind == kindString && v.raw() != "" {
			return v.text
		}
	}
	return ""
}
