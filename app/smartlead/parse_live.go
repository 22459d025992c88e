package smartlead

import (
	"bytes"
	"reflect"

	"github.com/leadbell/leadbell/event"
)

// liveFields are the fields only the flat shape SmartLead's live service
// sends has; it is keyed by "event_type" (see docs/smartlead-api.md). Every
// field is optional, and the deprecated fields older accounts still receive
// are read as fallbacks. Shared fields are in payload.
type liveFields struct {
	EventType      value `json:"event_type"`
	EventTimestamp value `json:"event_timestamp"`

	SLEmailLeadID value `json:"sl_email_lead_id"`
	SLLeadEmail   value `json:"sl_lead_email"`
	ToEmail       value `json:"to_email"`
	ToName        value `json:"to_name"`
	LeadEmail     value `json:"lead_email"` // deprecated: unsubscribes, category updates
	LeadName      value `json:"lead_name"`  // deprecated: category updates
	LeadData      struct {
		Email        value        `json:"email"`
		FirstName    value        `json:"first_name"`
		LastName     value        `json:"last_name"`
		CompanyName  value        `json:"company_name"`
		CustomFields customFields `json:"custom_fields"`
	} `json:"lead_data"`

	StatsID       value `json:"stats_id"`
	Subject       value `json:"subject"`
	CustomSubject value `json:"custom_subject"` // EMAIL_SENT

	SentMessage  message `json:"sent_message"`
	ReplyMessage message `json:"reply_message"`
	LinkDetails  urlList `json:"link_details"`
	LinkClicked  urlList `json:"link_clicked"`

	TimeSent    value `json:"time_sent"`
	TimeOpened  value `json:"time_opened"`
	TimeClicked value `json:"time_clicked"`
	TimeReplied value `json:"time_replied"` // deprecated

	// LEAD_CATEGORY_UPDATED: lead_category{old_*, new_*}, or the deprecated
	// category (the new name) on older accounts.
	LeadCategory categoryChange `json:"lead_category"`
	Category     value          `json:"category"`

	// Deprecated, still sent to older accounts.
	ReplyBody         value `json:"reply_body"`
	PreviewText       value `json:"preview_text"`
	MessageID         value `json:"message_id"`
	UIMasterInboxLink value `json:"ui_master_inbox_link"`

	// A bounce on older accounts: no bounce_message, but these
	// (docs/smartlead-api.md, "Other live events").
	BounceReplyEmail          value `json:"bounce_reply_email"`
	BounceReplyEmailPreview   value `json:"bounce_reply_email_preview"`
	BounceReplyEmailMessageID value `json:"bounce_reply_email_message_id"`
	BounceReplyMessageID      value `json:"bounce_reply_message_id"` // as SmartLead's help page spells it
}

// parseLive reads a live-shape payload. Type and SourceType are set by
// Parse. from_email is deliberately never read: it is the user's own
// sending mailbox, even on a reply.
func parseLive(p *payload) (event.Event, keyParts) {
	typ := mapType(p.EventType.str())

	ev := event.Event{
		CampaignID:     p.CampaignID.str(),
		CampaignName:   p.CampaignName.str(),
		LeadID:         firstStr(p.SLEmailLeadID, p.LeadID, p.Lead.ID),
		LeadEmail:      firstStr(p.SLLeadEmail, p.ToEmail, p.LeadData.Email, p.LeadEmail, p.Lead.Email),
		LeadName:       p.ToName.str(),
		Company:        firstStr(p.LeadData.CompanyName, p.Lead.CompanyName),
		CustomFields:   p.LeadData.CustomFields,
		SequenceNumber: p.SequenceNumber.int(),
		Subject:        firstStr(p.Subject, p.CustomSubject),
		URL:            p.LinkDetails.first(),
		OpenCount:      p.OpenedCount.int(),
		AppURL:         firstStr(p.AppURL, p.UIMasterInboxLink),
		MessageID: firstStr(p.ReplyMessage.MessageID, p.BounceMessage.MessageID,
			p.BounceReplyEmailMessageID, p.BounceReplyMessageID, p.MessageID, p.SentMessage.MessageID),
		StatsID: p.StatsID.str(),
	}
	if typ == event.CategoryUpdated {
		ev.Category = firstStr(p.LeadCategory.NewName, p.Category)
		ev.PreviousCategory = p.LeadCategory.OldName.str()
	}
	// The lead's nested record (lead_data, or lead{} in a payload SmartLead's
	// guide shows) has the full name; the deprecated lead_name may hold
	// only the first.
	if ev.LeadName == "" {
		ev.LeadName = fullName(p.LeadData.FirstName, p.LeadData.LastName)
	}
	if ev.LeadName == "" {
		ev.LeadName = fullName(p.Lead.FirstName, p.Lead.LastName)
	}
	if ev.LeadName == "" {
		ev.LeadName = p.LeadName.str()
	}
	if ev.CustomFields == nil {
		ev.CustomFields = p.Lead.CustomFields
	}
	if ev.URL == "" {
		ev.URL = p.LinkClicked.first()
	}
	if typ == event.Bounced {
		ev.Body = firstOf(p.BounceMessage.body, p.oldBounceBody, p.replyBody)
	} else {
		ev.Body = firstOf(p.replyBody, p.BounceMessage.body)
	}

	own := p.ownTimes(typ)
	// "timestamp" is the spec's name; SmartLead's guide shows it in flat
	// payloads too.
	ev.Timestamp = firstTime(append(append([]value{p.EventTimestamp}, own...), p.Timestamp)...)

	when := p.EventTimestamp.raw()
	for _, v := range own {
		if when != "" {
			break
		}
		when = v.raw()
	}
	key := keyParts{prefix: "live", parts: []string{
		p.EventType.str(),
		firstStr(p.StatsID, p.ReplyMessage.MessageID, p.MessageID),
		when,
	}}
	return ev, key
}

// replyBody is the reply's text: reply_message.text, else its HTML as
// text, else the deprecated reply_body, else the preview.
func (p *payload) replyBody() string {
	if s := p.ReplyMessage.body(); s != "" {
		return s
	}
	if s := looseText(p.ReplyBody); s != "" {
		return s
	}
	return p.PreviewText.str()
}

// oldBounceBody is an older account's bounce text: bounce_reply_email
// (HTML or text), else its preview.
func (p *payload) oldBounceBody() string {
	if s := looseText(p.BounceReplyEmail); s != "" {
		return s
	}
	return looseText(p.BounceReplyEmailPreview)
}

// ownTimes are the fields that say when an event of type t happened, for
// payloads without event_timestamp, most telling first.
func (p *payload) ownTimes(t event.Type) []value {
	switch t {
	case event.Sent:
		return []value{p.TimeSent, p.SentMessage.Time}
	case event.Opened:
		return []value{p.TimeOpened}
	case event.Clicked:
		return []value{p.TimeClicked}
	case event.Bounced:
		return []value{p.BounceMessage.Time, p.TimeSent}
	default: // replies, UNTRACKED_REPLIES and other events carrying a reply
		return []value{p.TimeReplied, p.ReplyMessage.Time}
	}
}

// firstOf returns the first non-empty result of fs, calling no more of
// them than needed (converting HTML is not free).
func firstOf(fs ...func() string) string {
	for _, f := range fs {
		if s := f(); s != "" {
			return s
		}
	}
	return ""
}

// categoryChange is lead_category: {old_id, old_name, new_id, new_name},
// or a bare string taken as the new name.
type categoryChange struct {
	OldName value `json:"old_name"`
	NewName value `json:"new_name"`
}

// UnmarshalJSON implements json.Unmarshaler. It never returns an error.
func (c *categoryChange) UnmarshalJSON(b []byte) error {
	*c = categoryChange{}
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
	case b[0] == '{':
		categoryDecoder.decode(reflect.ValueOf(c).Elem(), b)
	default:
		_ = c.NewName.UnmarshalJSON(b)
	}
	return nil
}

var categoryDecoder = newStructDecoder(reflect.TypeFor[categoryChange]())
