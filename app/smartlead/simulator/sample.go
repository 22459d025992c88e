package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
)

// SentMessage is the campaign e-mail an event is about.
type SentMessage struct {
	MessageID string
	Subject   string
	Text      string
	HTML      string
	At        time.Time
}

// Sample is one generated event, independent of the payload shape it is
// rendered in: SpecJSON and LiveJSON render it with each family's field
// names. The webhook fields are filled in per delivery by the Server.
type Sample struct {
	Type      event.Type
	Campaign  smartlead.Campaign
	Lead      Lead
	Sequence  int
	Subject   string // of the e-mail the event is about; "Re: ..." for a reply
	Body      string // reply or bounce text; "" when the reply is HTML only
	BodyHTML  string // reply or bounce HTML; "" when the reply is text only
	URL       string // the clicked link
	At        time.Time
	StatsID   string // SmartLead's id of the sent e-mail's statistics row
	MessageID string // of the reply or bounce; else of the sent e-mail
	OpenCount int
	// Category and CategoryID are the lead's new category on a category
	// update; PrevCategory and PrevCategoryID the one it replaced ("" and 0
	// when the lead had none).
	Category       string
	CategoryID     int
	PrevCategory   string
	PrevCategoryID int
	ClientID       string // the client the campaign belongs to, "" for none

	FirstOpenedAt  time.Time
	Sent           SentMessage
	FromEmail      string // the user's own mailbox, even on a reply
	FromName       string
	EmailAccountID int
	RepliedFrom    string // who actually replied: the lead or a colleague

	StringIDs  bool // render ids as strings, as some live payloads do
	Deprecated bool // add the deprecated fields older accounts receive

	WebhookID        string
	WebhookName      string
	WebhookURL       string
	WebhookCreatedAt time.Time
}

// LiveName is the live service's name for the sample's event type.
func (s Sample) LiveName() string {
	switch s.Type {
	case event.Opened:
		return "EMAIL_OPEN"
	case event.Clicked:
		return "EMAIL_LINK_CLICK"
	case event.Replied:
		return "EMAIL_REPLY"
	case event.Bounced:
		return "EMAIL_BOUNCE"
	case event.Unsubscribed:
		return "LEAD_UNSUBSCRIBED"
	case event.Other, event.CategoryUpdated:
		return "LEAD_CATEGORY_UPDATED"
	}
	return string(s.Type)
}

// specName is the spec's name: its own types, LEAD_CATEGORY_UPDATED for
// a category update (the spec has none).
func (s Sample) specName() string {
	if isCategoryUpdate(s.Type) {
		return "LEAD_CATEGORY_UPDATED"
	}
	return string(s.Type)
}

const (
	liveTime = "2006-01-02T15:04:05.000Z"
	specTime = "2006-01-02T15:04:05Z"
)

// id renders an id as a JSON number, or as a string when the sample says so.
func (s Sample) id(v string) any {
	if v == "" {
		return nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && !s.StringIDs {
		return n
	}
	return v
}

type specLead struct {
	Email        string            `json:"email"`
	FirstName    string            `json:"first_name"`
	LastName     string            `json:"last_name"`
	CompanyName  string            `json:"company_name"`
	CustomFields map[string]string `json:"custom_fields"`
}

type specEmail struct {
	Subject   string `json:"subject"`
	MessageID string `json:"message_id"`
}

type specReply struct {
	Subject    string `json:"subject"`
	Body       string `json:"body"`
	ReceivedAt string `json:"received_at"`
	MessageID  string `json:"message_id"`
}

type specLink struct {
	URL       string `json:"url"`
	ClickedAt string `json:"clicked_at"`
}

// specPayload is the nested shape of the spec, in its field order.
type specPayload struct {
	Event          string     `json:"event"`
	Timestamp      string     `json:"timestamp"`
	CampaignID     any        `json:"campaign_id"`
	CampaignName   string     `json:"campaign_name"`
	LeadID         any        `json:"lead_id"`
	EmailAccountID int        `json:"email_account_id"`
	Lead           specLead   `json:"lead"`
	SequenceNumber int        `json:"sequence_number"`
	Email          *specEmail `json:"email,omitempty"`
	Reply          *specReply `json:"reply,omitempty"`
	OpenedCount    int        `json:"opened_count,omitempty"`
	FirstOpenedAt  string     `json:"first_opened_at,omitempty"`
	LastOpenedAt   string     `json:"last_opened_at,omitempty"`
	Link           *specLink  `json:"link,omitempty"`
	BounceReason   string     `json:"bounce_reason,omitempty"`
	LeadCategory   string     `json:"lead_category,omitempty"`
}

// SpecJSON renders the sample in the spec's nested shape (ids as numbers,
// as the spec shows them). The spec has no bounce example; a bounce carries
// its text in "bounce_reason".
func (s Sample) SpecJSON() []byte {
	at := s.At.UTC().Format(specTime)
	p := specPayload{
		Event: s.specName(), Timestamp: at, CampaignID: s.numeric(s.Campaign.ID),
		CampaignName: s.Campaign.Name, LeadID: s.numeric(s.Lead.ID), EmailAccountID: s.EmailAccountID,
		Lead: specLead{Email: s.Lead.Email, FirstName: s.Lead.FirstName, LastName: s.Lead.LastName,
			CompanyName: s.Lead.Company, CustomFields: s.Lead.CustomFields},
		SequenceNumber: s.Sequence,
		Email:          &specEmail{Subject: s.Sent.Subject, MessageID: s.Sent.MessageID},
	}
	switch s.Type {
	case event.Opened:
		p.OpenedCount = s.OpenCount
		p.FirstOpenedAt, p.LastOpenedAt = s.FirstOpenedAt.UTC().Format(specTime), at
	case event.Clicked:
		p.Link = &specLink{URL: s.URL, ClickedAt: at}
	case event.Replied:
		body := s.Body
		if body == "" {
			body = s.BodyHTML
		}
		p.Reply = &specReply{Subject: s.Subject, Body: body, ReceivedAt: at, MessageID: s.MessageID}
	case event.Bounced:
		p.BounceReason = s.Body
	case event.Other, event.CategoryUpdated:
		p.LeadCategory = s.Category
	}
	return mustJSON(p)
}

// numeric renders an id as a JSON number when it is one.
func (s Sample) numeric(v string) any {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n
	}
	return v
}

// mustJSON renders v as SmartLead's Node.js servers do: no escaping of
// <, > and & (JSON.stringify leaves them be).
func mustJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("simulator: cannot render a payload: %v", err)) // only plain types are rendered
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
