package smartlead

import "github.com/leadbell/leadbell/event"

// specFields are the fields only the nested shape of smartlead-webhooks.txt
// has; it is keyed by "event". Every field is optional. It shares
// campaign_id, campaign_name, lead_id, sequence_number, opened_count,
// app_url and bounce_message with the live shape (see payload).
type specFields struct {
	Event     value `json:"event"`
	Timestamp value `json:"timestamp"`
	Lead      struct {
		ID           value        `json:"id"` // not in the spec; SmartLead's guide nests it
		Email        value        `json:"email"`
		FirstName    value        `json:"first_name"`
		LastName     value        `json:"last_name"`
		CompanyName  value        `json:"company_name"`
		CustomFields customFields `json:"custom_fields"`
	} `json:"lead"`
	Email struct {
		Subject   value `json:"subject"`
		MessageID value `json:"message_id"`
	} `json:"email"`
	Reply *struct {
		Subject    value `json:"subject"`
		Body       value `json:"body"`
		ReceivedAt value `json:"received_at"`
		MessageID  value `json:"message_id"`
	} `json:"reply"`
	FirstOpenedAt value `json:"first_opened_at"`
	LastOpenedAt  value `json:"last_opened_at"`
	Link          struct {
		URL       value `json:"url"`
		ClickedAt value `json:"clicked_at"`
	} `json:"link"`

	// Not in the spec's examples, read where present: the spec gives no
	// bounce example, so a bounce's text is taken from the live family's
	// field names (bounce_message, shared, and bounce_reason).
	BounceReason value `json:"bounce_reason"`
}

// parseSpec reads a spec-shape payload. Type and SourceType are set by
// Parse.
func parseSpec(p *payload) (event.Event, keyParts) {
	ev := event.Event{
		CampaignID:     p.CampaignID.str(),
		CampaignName:   p.CampaignName.str(),
		LeadID:         p.LeadID.str(),
		LeadEmail:      p.Lead.Email.str(),
		LeadName:       fullName(p.Lead.FirstName, p.Lead.LastName),
		Company:        p.Lead.CompanyName.str(),
		CustomFields:   p.Lead.CustomFields,
		SequenceNumber: p.SequenceNumber.int(),
		Subject:        p.Email.Subject.str(),
		MessageID:      p.Email.MessageID.str(),
		URL:            p.Link.URL.str(),
		OpenCount:      p.OpenedCount.int(),
		AppURL:         p.AppURL.str(),
	}

	// The event's own time, when the envelope's timestamp is unreadable.
	own := []value{p.Timestamp, p.Link.ClickedAt, p.LastOpenedAt, p.FirstOpenedAt}
	if r := p.Reply; r != nil {
		if s := r.Subject.str(); s != "" {
			ev.Subject = s
		}
		if s := r.MessageID.str(); s != "" {
			ev.MessageID = s
		}
		ev.Body = looseText(r.Body)
		own = []value{p.Timestamp, r.ReceivedAt}
	}
	ev.Timestamp = firstTime(own...)
	if ev.Body == "" && mapType(p.Event.str()) == event.Bounced {
		ev.Body = p.BounceMessage.body()
		if ev.Body == "" {
			ev.Body = looseText(p.BounceReason)
		}
	}

	key := keyParts{prefix: "spec", parts: []string{
		p.LeadID.str(), p.Event.str(), p.Timestamp.raw(),
	}}
	return ev, key
}

// looseText reads a text field whose format SmartLead does not document:
// HTML when it holds HTML tags, plain text otherwise.
func looseText(v value) string {
	if v.kind == kindString && looksLikeHTML(v.text) {
		return htmlToText(v.text)
	}
	return v.str()
}
