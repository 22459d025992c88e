package smartlead

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Campaign is a SmartLead campaign. Status is SmartLead's own word
// (DRAFTED, ACTIVE, PAUSED, STOPPED, COMPLETED).
type Campaign struct {
	ID     string
	Name   string
	Status string
}

// Campaigns lists the account's campaigns.
func (c *Client) Campaigns(ctx context.Context) ([]Campaign, error) {
	const op = "list campaigns"
	var wire []struct {
		ID     apiID  `json:"id"`
		Name   string `json:"name"`
		Status string `json:"status"`
	}
	if err := c.call(ctx, op, http.MethodGet, "/campaigns", nil, &wire); err != nil {
		return nil, err
	}
	out := make([]Campaign, 0, len(wire))
	for _, w := range wire {
		out = append(out, Campaign{ID: string(w.ID), Name: w.Name, Status: w.Status})
	}
	return out, nil
}

// ValidateKey checks the API key with a cheap call. It returns nil, or an
// error matching ErrUnauthorized, ErrNoAPIAccess, ErrUnreachable, ...
func (c *Client) ValidateKey(ctx context.Context) error {
	_, err := c.Campaigns(ctx)
	return err
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
// oldest first as SmartLead lists them.
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
