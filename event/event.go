// Package event is Leadbell's model of what happened to a lead: an Event
// and its Type. SmartLead's payloads are parsed into it (app/smartlead),
// the store keeps it (store), the local API serves it (app/api) and the
// broker passes it on. Its JSON form is a contract of the local API (see
// docs/design.md).
package event

import (
	"encoding/json"
	"errors"
	"time"
)

// Type is Leadbell's name for what happened. It uses the spec's names;
// the live service's names are mapped onto them when a payload is parsed.
type Type string

// The event types of the spec, plus OTHER for anything else SmartLead sends.
const (
	Sent         Type = "EMAIL_SENT"
	Opened       Type = "EMAIL_OPENED"
	Clicked      Type = "EMAIL_CLICKED"
	Replied      Type = "EMAIL_REPLIED"
	Bounced      Type = "EMAIL_BOUNCED"
	Unsubscribed Type = "EMAIL_UNSUBSCRIBED"
	// CategoryUpdated is SmartLead's LEAD_CATEGORY_UPDATED: the lead was
	// tagged (Interested, Meeting Request, ...), by a person or SmartLead's
	// AI. The spec has no such event; the live service sends it
	// (docs/smartlead-api.md, "Event names").
	CategoryUpdated Type = "LEAD_CATEGORY_UPDATED"
	Other           Type = "OTHER"
)

// Types lists the types Leadbell subscribes to, in the order the UI shows
// them: the spec's six, then category updates.
var Types = []Type{Sent, Opened, Clicked, Replied, Bounced, Unsubscribed, CategoryUpdated}

// Verification methods recorded in Event.VerifiedBy.
const (
	VerifiedBySignature = "signature"
	VerifiedBySecretKey = "secret_key"
	VerifiedByURLToken  = "url_token"
)

// Event is one SmartLead webhook delivery, normalised. Its JSON form is a
// contract of the local API (see docs/design.md): fields a payload lacks are
// left empty, never invented.
type Event struct {
	ID             string            `json:"id"`
	Type           Type              `json:"type"`
	SourceType     string            `json:"source_type"`
	Timestamp      time.Time         `json:"timestamp,omitzero"`
	ReceivedAt     time.Time         `json:"received_at,omitzero"`
	CampaignID     string            `json:"campaign_id,omitempty"`
	CampaignName   string            `json:"campaign_name,omitempty"`
	LeadID         string            `json:"lead_id,omitempty"`
	LeadEmail      string            `json:"lead_email,omitempty"`
	LeadName       string            `json:"lead_name,omitempty"`
	Company        string            `json:"company,omitempty"`
	CustomFields   map[string]string `json:"custom_fields,omitempty"`
	SequenceNumber int               `json:"sequence_number,omitempty"`
	Subject        string            `json:"subject,omitempty"`
	Body           string            `json:"body,omitempty"`
	URL            string            `json:"url,omitempty"`
	OpenCount      int               `json:"open_count,omitempty"`
	AppURL         string            `json:"app_url,omitempty"`
	MessageID      string            `json:"message_id,omitempty"`
	// StatsID is SmartLead's id of the e-mail (stats_id): answering a reply
	// in its thread needs it (reply-email-thread's email_stats_id).
	StatsID string `json:"stats_id,omitempty"`
	// Category is the lead's SmartLead category: on a category update the
	// new one, on other events the lead's current one as the store knows
	// it when the event is read. PreviousCategory is the one a category
	// update replaced.
	Category         string `json:"category,omitempty"`
	PreviousCategory string `json:"previous_category,omitempty"`
	VerifiedBy       string `json:"verified_by,omitempty"`
	Backfilled       bool   `json:"backfilled,omitempty"`
	Read             bool   `json:"read"`
	// Done is set when the user is finished with the event: it leaves the
	// inbox's default view.
	Done bool `json:"done,omitempty"`
	// SnoozedUntil is when a snoozed event comes back (unread, with a
	// notification); zero when it is not snoozed.
	SnoozedUntil time.Time `json:"snoozed_until,omitzero"`
	// Triage is what Leadbell makes of a reply before anyone has
	// categorised it (one of TriageClasses, app/triage), TriageReason why,
	// in words; both empty until it has looked.
	Triage       string          `json:"triage,omitempty"`
	TriageReason string          `json:"triage_reason,omitempty"`
	Raw          json.RawMessage `json:"raw,omitempty"`

	// Key is the idempotency key: two deliveries with the same key are the
	// same event. It is set by Parse and is not part of the JSON contract.
	Key string `json:"-"`
}

// When is the time the event is ordered by: the time SmartLead says it
// happened, unless that is missing or implausibly in the future, in which
// case the time it reached us.
func (e *Event) When() time.Time {
	if e.Timestamp.IsZero() || e.Timestamp.After(e.ReceivedAt.Add(time.Hour)) {
		return e.ReceivedAt
	}
	return e.Timestamp
}

// ErrNoSubject means a delivery names an event type but nothing the event
// is about: no lead (id or email) and no message (message id or stats id).
// Storing it would show an empty row; SmartLead never sends one.
var ErrNoSubject = errors.New("event: names no lead or message")

// CheckSubject returns ErrNoSubject for an event that identifies neither a
// lead nor a message. An event of a type Leadbell does not know (OTHER,
// such as CAMPAIGN_STATUS_CHANGED) may instead name just its campaign.
func (e *Event) CheckSubject() error {
	if e.LeadID != "" || e.LeadEmail != "" || e.MessageID != "" || e.StatsID != "" {
		return nil
	}
	if e.Type == Other && e.CampaignID != "" {
		return nil
	}
	return ErrNoSubject
}

// TriageClasses are the classes of Event.Triage. The store numbers them
// from 1 in this order: add at the end, never reorder.
var TriageClasses = []string{"interested", "question", "not_now", "not_interested", "unsubscribe", "out_of_office", "wrong_person", "auto_reply"}
