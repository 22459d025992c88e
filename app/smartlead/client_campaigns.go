package smartlead

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Campaign statuses SmartLead uses.
const (
	CampaignDrafted   = "DRAFTED"
	CampaignActive    = "ACTIVE"
	CampaignPaused    = "PAUSED"
	CampaignStopped   = "STOPPED"
	CampaignCompleted = "COMPLETED"
	CampaignArchived  = "ARCHIVED"
)

// Campaign is a SmartLead campaign. Status is SmartLead's own word (see
// the Campaign constants); ClientID is the agency client it belongs to, if
// any.
type Campaign struct {
	ID       string
	Name     string
	Status   string
	ClientID string
}

// Campaigns lists the account's campaigns (GET /campaigns/, a bare array).
func (c *Client) Campaigns(ctx context.Context) ([]Campaign, error) {
	const op = "list campaigns"
	var wire []struct {
		ID       apiID  `json:"id"`
		Name     string `json:"name"`
		Status   string `json:"status"`
		ClientID apiID  `json:"client_id"`
	}
	if err := c.call(ctx, op, http.MethodGet, "/campaigns", nil, &wire); err != nil {
		return nil, err
	}
	out := make([]Campaign, 0, len(wire))
	for _, w := range wire {
		out = append(out, Campaign{ID: string(w.ID), Name: w.Name, Status: w.Status, ClientID: string(w.ClientID)})
	}
	return out, nil
}

// ValidateKey checks the API key with a cheap call. It returns nil, or an
// error matching ErrUnauthorized, ErrNoAPIAccess, ErrUnreachable, ...
func (c *Client) ValidateKey(ctx context.Context) error {
	_, err := c.Campaigns(ctx)
	return err
}

// Category is one of the account's lead categories.
type Category struct {
	ID        string
	Name      string
	Sentiment string // positive, negative, neutral, as SmartLead says
}

// DefaultCategories are SmartLead's default lead categories
// (docs/smartlead-api.md), for when the account's own list cannot be
// read.
var DefaultCategories = []Category{
	{"1", "Interested", "positive"}, {"2", "Meeting Request", "positive"},
	{"3", "Not Interested", "negative"}, {"4", "Do Not Contact", "negative"},
	{"5", "Information Request", "neutral"}, {"6", "Out Of Office", "neutral"},
	{"7", "Wrong Person", "neutral"},
}

// Categories lists the account's lead categories
// (GET /leads/fetch-categories: [{id, name, sentiment_type}]).
func (c *Client) Categories(ctx context.Context) ([]Category, error) {
	const op = "list lead categories"
	var wire []struct {
		ID        apiID  `json:"id"`
		Name      string `json:"name"`
		Sentiment string `json:"sentiment_type"`
	}
	if err := c.call(ctx, op, http.MethodGet, "/leads/fetch-categories", nil, &wire); err != nil {
		return nil, err
	}
	out := make([]Category, 0, len(wire))
	for _, w := range wire {
		if w.Name != "" {
			out = append(out, Category{ID: string(w.ID), Name: w.Name, Sentiment: w.Sentiment})
		}
	}
	return out, nil
}

// Message is one e-mail of a lead's thread in a campaign. Body is HTML as
// SmartLead stores it, written partly by strangers: treat it as untrusted.
type Message struct {
	StatsID   string
	MessageID string
	Type      string // "SENT" or "REPLY"
	From, To  string
	Subject   string
	Body      string
	Time      time.Time
	Sequence  int
}

// MessageHistory returns the e-mails exchanged with one lead of a campaign,
// oldest first as SmartLead lists them. A lead SmartLead does not know may
// come back as an empty history (200 {}) rather than an error.
func (c *Client) MessageHistory(ctx context.Context, campaignID, leadID string) ([]Message, error) {
	const op = "message history"
	var wire struct {
		History []struct {
			StatsID   apiID  `json:"stats_id"`
			MessageID string `json:"message_id"`
			Type      string `json:"type"`
			From      string `json:"from"`
			To        string `json:"to"`
			Subject   string `json:"subject"`
			Body      string `json:"email_body"`
			Time      string `json:"time"`
			Sequence  apiID  `json:"email_seq_number"`
		} `json:"history"`
	}
	path := "/campaigns/" + url.PathEscape(campaignID) + "/leads/" + url.PathEscape(leadID) + "/message-history"
	if err := c.call(ctx, op, http.MethodGet, path, nil, &wire); err != nil {
		return nil, err
	}
	out := make([]Message, 0, len(wire.History))
	for _, h := range wire.History {
		seq, _ := strconv.Atoi(string(h.Sequence))
		t, _ := time.Parse(time.RFC3339Nano, h.Time)
		out = append(out, Message{StatsID: string(h.StatsID), MessageID: h.MessageID, Type: h.Type,
			From: h.From, To: h.To, Subject: h.Subject, Body: h.Body, Time: t, Sequence: seq})
	}
	return out, nil
}
