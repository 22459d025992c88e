package simulator

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/leadbell/leadbell/event"
)

// liveMessage is a live-shape message object.
type liveMessage struct {
	MessageID string `json:"message_id"`
	HTML      string `json:"html"`
	Text      string `json:"text"`
	Time      string `json:"time"`
}

type liveCorrespondence struct {
	TargetLeadEmail      string `json:"targetLeadEmail"`
	ReplyReceivedFrom    string `json:"replyReceivedFrom"`
	RepliedCompanyDomain string `json:"repliedCompanyDomain"`
}

type liveCategory struct {
	OldID   any    `json:"old_id"`
	OldName any    `json:"old_name"`
	NewID   any    `json:"new_id"`
	NewName string `json:"new_name"`
}

type liveLeadData struct {
	Email        string            `json:"email"`
	FirstName    string            `json:"first_name"`
	LastName     string            `json:"last_name"`
	CompanyName  string            `json:"company_name"`
	Website      string            `json:"website"`
	CustomFields map[string]string `json:"custom_fields"`
}

// livePayload is the flat shape the live service sends, in its field order.
type livePayload struct {
	WebhookID          any                 `json:"webhook_id"`
	WebhookName        string              `json:"webhook_name"`
	LeadID             any                 `json:"lead_id,omitempty"`
	SLEmailLeadID      any                 `json:"sl_email_lead_id"`
	SLEmailLeadMapID   any                 `json:"sl_email_lead_map_id"`
	SLLeadEmail        string              `json:"sl_lead_email"`
	StatsID            string              `json:"stats_id"`
	EventType          string              `json:"event_type"`
	EventTimestamp     string              `json:"event_timestamp"`
	FromEmail          string              `json:"from_email"`
	ToEmail            string              `json:"to_email"`
	ToName             string              `json:"to_name"`
	CCEmails           []string            `json:"cc_emails,omitempty"`
	Subject            string              `json:"subject"`
	CampaignStatus     string              `json:"campaign_status"`
	CampaignID         any                 `json:"campaign_id"`
	CampaignName       string              `json:"campaign_name"`
	SequenceNumber     int                 `json:"sequence_number"`
	ClientID           any                 `json:"client_id"`
	TimeSent           string              `json:"time_sent,omitempty"`
	TimeOpened         string              `json:"time_opened,omitempty"`
	TimeClicked        string              `json:"time_clicked,omitempty"`
	LinkDetails        []string            `json:"link_details,omitempty"`
	LinkClicked        []string            `json:"link_clicked,omitempty"`
	SentMessage        *liveMessage        `json:"sent_message,omitempty"`
	ReplyMessage       *liveMessage        `json:"reply_message,omitempty"`
	BounceMessage      *liveMessage        `json:"bounce_message,omitempty"`
	LeadCategory       *liveCategory       `json:"lead_category,omitempty"`
	LeadData           *liveLeadData       `json:"lead_data,omitempty"`
	AppURL             string              `json:"app_url"`
	WebhookURL         string              `json:"webhook_url"`
	SecretKey          string              `json:"secret_key,omitempty"`
	Description        string              `json:"description"`
	Metadata           map[string]string   `json:"metadata"`
	LeadCorrespondence *liveCorrespondence `json:"leadCorrespondence,omitempty"`

	// Deprecated fields, still sent to older accounts.
	TimeReplied       string `json:"time_replied,omitempty"`
	ReplyBody         string `json:"reply_body,omitempty"`
	PreviewText       string `json:"preview_text,omitempty"`
	MessageID         string `json:"message_id,omitempty"`
	SentMessageBody   string `json:"sent_message_body,omitempty"`
	UIMasterInboxLink string `json:"ui_master_inbox_link,omitempty"`
}

// LiveJSON renders the sample in the live service's flat shape. secret, when
// not empty, travels in the body as "secret_key", as the live service does
// instead of signing. from_email is the user's mailbox; the lead is
// sl_lead_email / to_email.
func (s Sample) LiveJSON(secret string) []byte {
	at := s.At.UTC().Format(liveTime)
	sent := &liveMessage{MessageID: s.Sent.MessageID, HTML: s.Sent.HTML, Text: s.Sent.Text, Time: s.Sent.At.UTC().Format(liveTime)}
	created := s.WebhookCreatedAt
	if created.IsZero() { // rendered outside a Server, as by `leadbell trigger`
		created = s.Sent.At.AddDate(0, 0, -3)
	}
	appURL := "https://app.smartlead.ai/app/master-inbox?action=INBOX&leadMap=" + s.Lead.MapID
	p := livePayload{
		WebhookID: s.id(s.WebhookID), WebhookName: s.WebhookName,
		SLEmailLeadID: s.id(s.Lead.ID), SLEmailLeadMapID: s.id(s.Lead.MapID), SLLeadEmail: s.Lead.Email,
		StatsID: s.StatsID, EventType: s.LiveName(), EventTimestamp: at,
		FromEmail: s.FromEmail, ToEmail: s.Lead.Email, ToName: s.Lead.Name(), Subject: s.Subject,
		CampaignStatus: s.Campaign.Status, CampaignID: s.id(s.Campaign.ID), CampaignName: s.Campaign.Name,
		SequenceNumber: s.Sequence, ClientID: s.id(s.ClientID), SentMessage: sent, AppURL: appURL, WebhookURL: s.WebhookURL,
		SecretKey: secret, Description: s.description(),
		Metadata: map[string]string{"webhook_created_at": created.UTC().Format(liveTime)},
	}
	switch s.Type {
	case event.Sent:
		p.TimeSent = s.Sent.At.UTC().Format(liveTime)
	case event.Opened:
		p.TimeOpened = at
	case event.Clicked:
		p.LinkDetails, p.LinkClicked, p.TimeClicked = []string{s.URL}, []string{s.URL}, at
	case event.Replied:
		domain := s.RepliedFrom[strings.IndexByte(s.RepliedFrom, '@')+1:]
		p.ReplyMessage = &liveMessage{MessageID: s.MessageID, HTML: s.BodyHTML, Text: s.Body, Time: at}
		p.CCEmails = []string{}
		p.LeadCorrespondence = &liveCorrespondence{TargetLeadEmail: s.Lead.Email,
			ReplyReceivedFrom: s.RepliedFrom, RepliedCompanyDomain: domain}
		if s.Deprecated {
			p.TimeReplied, p.ReplyBody = at, s.BodyHTML
			if p.ReplyBody == "" {
				p.ReplyBody = s.Body
			}
			p.PreviewText = preview(s.Body)
			p.MessageID, p.SentMessageBody, p.UIMasterInboxLink = s.MessageID, s.Sent.HTML, appURL
		}
	case event.Bounced:
		p.BounceMessage = &liveMessage{MessageID: s.MessageID, HTML: s.BodyHTML, Text: s.Body, Time: at}
	case event.Other, event.CategoryUpdated:
		p.LeadID = s.id(s.Lead.ID)
		p.LeadCategory = &liveCategory{NewID: s.id(strconv.Itoa(s.CategoryID)), NewName: s.Category}
		if s.PrevCategory != "" {
			p.LeadCategory.OldID, p.LeadCategory.OldName = s.id(strconv.Itoa(s.PrevCategoryID)), s.PrevCategory
		}
		p.LeadData = &liveLeadData{Email: s.Lead.Email, FirstName: s.Lead.FirstName, LastName: s.Lead.LastName,
			CompanyName: s.Lead.Company, Website: s.Lead.Website, CustomFields: s.Lead.CustomFields}
	}
	if s.Deprecated && s.Type != event.Replied {
		p.MessageID = s.Sent.MessageID
	}
	return mustJSON(p)
}

// description is the sentence SmartLead puts in "description".
func (s Sample) description() string {
	who, step := s.Lead.Name(), fmt.Sprintf("Email %d", s.Sequence)
	switch s.Type {
	case event.Sent:
		return fmt.Sprintf("%s sent to %s in %s", step, who, s.Campaign.Name)
	case event.Opened:
		return fmt.Sprintf("%s opened %s", who, step)
	case event.Clicked:
		return fmt.Sprintf("%s clicked a link in %s", who, step)
	case event.Replied:
		return fmt.Sprintf("%s replied to %s in %s", who, step, s.Campaign.Name)
	case event.Bounced:
		return fmt.Sprintf("%s to %s bounced", step, who)
	case event.Unsubscribed:
		return fmt.Sprintf("%s unsubscribed from %s", who, s.Campaign.Name)
	}
	return fmt.Sprintf("%s's category changed to %s", who, s.Category)
}

// preview is the first hundred characters of a text, as preview_text.
func preview(text string) string {
	r := []rune(strings.Join(strings.Fields(text), " "))
	if len(r) > 100 {
		r = r[:100]
	}
	return string(r)
}
