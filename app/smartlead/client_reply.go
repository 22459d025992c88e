package smartlead

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Acting on a reply: answering in the lead's thread and setting the lead's
// category (docs/smartlead-api.md, "Acting on a reply").
//
// Evidence: the field names and the required set of reply-email-thread are
// those of SmartLead's API reference as open-source clients that run
// against real accounts send them (an MCP server for SmartLead lists
// email_stats_id, email_body, reply_message_id, reply_email_time and
// reply_email_body as required; a CRM client sends cc and bcc as strings,
// add_signature true by default, and notes that reply_email_time must be
// a full ISO time with milliseconds and Z, and that a 200 means "queued",
// not "delivered"). The category call's body {category_id, pause_lead} is
// the same in three independent clients (an n8n node, two TypeScript
// clients). Evidence is thin on what SmartLead answers when the thread is
// unknown: a 400 or a 404 is taken as "not found" alike (ErrThreadNotFound).

// ThreadReply is an answer in a lead's thread.
type ThreadReply struct {
	// StatsID is the lead's reply's stats_id (the webhook's top-level
	// stats_id, or the message history's): email_stats_id.
	StatsID string
	// Body is the answer, HTML: email_body.
	Body string
	// ReplyMessageID, ReplyTime and ReplyBody are the Message-ID, time and
	// HTML of the lead's e-mail being answered.
	ReplyMessageID string
	ReplyTime      time.Time
	ReplyBody      string
	// CC and BCC are addresses, sent comma-separated.
	CC, BCC []string
	// AddSignature adds the sending mailbox's SmartLead signature.
	AddSignature bool
}

// ErrThreadNotFound means SmartLead does not know the thread an answer
// names (the lead or its e-mail is gone, or the ids are wrong).
var ErrThreadNotFound = errors.New("smartlead: the lead's thread was not found")

// replyTime is reply_email_time's layout: ISO 8601 with milliseconds, UTC.
const replyTime = "2006-01-02T15:04:05.000Z"

// ReplyInThread answers a lead in its thread
// (POST /campaigns/{cid}/reply-email-thread). It is tried once: SmartLead
// may have queued an answer whose response was lost, and the same answer
// sent twice reaches the lead twice. Only a 429, which SmartLead answers
// before doing anything, is waited out and tried again.
func (c *Client) ReplyInThread(ctx context.Context, campaignID string, r ThreadReply) error {
	const op = "reply in thread"
	body := map[string]any{
		"email_stats_id":   r.StatsID,
		"email_body":       r.Body,
		"reply_message_id": r.ReplyMessageID,
		"reply_email_time": r.ReplyTime.UTC().Format(replyTime),
		"reply_email_body": r.ReplyBody,
		"cc":               strings.Join(r.CC, ","),
		"bcc":              strings.Join(r.BCC, ","),
		"add_signature":    r.AddSignature,
	}
	path := "/campaigns/" + url.PathEscape(campaignID) + "/reply-email-thread"
	resp, err := c.sendOnce(ctx, op, http.MethodPost, path, body)
	if err != nil {
		return err
	}
	if !resp.ok() {
		err := c.apiError(op, resp)
		if resp.status == http.StatusNotFound || resp.status == http.StatusBadRequest && strings.Contains(strings.ToLower(err.(*APIError).Message), "not found") {
			return errors.Join(ErrThreadNotFound, err)
		}
		return err
	}
	return nil
}

// SetLeadCategory sets a lead's category in a campaign
// (POST /campaigns/{cid}/leads/{lead_id}/category), categoryID "" clearing
// it; pauseLead also pauses the lead's sequence. leadID is the lead's
// SmartLead id (sl_email_lead_id), not its campaign mapping's.
func (c *Client) SetLeadCategory(ctx context.Context, campaignID, leadID, categoryID string, pauseLead bool) error {
	const op = "set lead category"
	var id any // null clears the category
	if categoryID != "" {
		n, err := strconv.Atoi(categoryID)
		if err != nil {
			return &APIError{Op: op, Status: http.StatusBadRequest, Message: "the category id is not a number"}
		}
		id = n
	}
	path := "/campaigns/" + url.PathEscape(campaignID) + "/leads/" + url.PathEscape(leadID) + "/category"
	return c.call(ctx, op, http.MethodPost, path, map[string]any{"category_id": id, "pause_lead": pauseLead}, nil)
}
