package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// The second step of a catch-up: replies that no delivery brought, found in
// the message history of the leads that had something going on. SmartLead
// offers no list of who replied when, so the leads are the store's: those
// with events in the gap (re-triggered deliveries) or shortly before it
// (a lead sent an e-mail, or who opened one, is who replies next), newest
// first, at most maxHistory of them.

// activeLead is a lead whose history a catch-up reads, with its newest
// stored event (for the names a reply from the history lacks).
type activeLead struct {
	campaignID, leadID string
	last               event.Event
}

// historyReplies stores the replies since from found in the message
// histories of the active leads of the campaigns in scope (scope nil: all),
// and returns how many it stored. Running into the rate limit or losing
// the network stops it.
func (e *Engine) historyReplies(ctx context.Context, c *smartlead.Client, scope map[string]bool, from time.Time) (int, error) {
	o := e.catchUp.opts
	leads, err := e.activeLeads(from.Add(-o.lookback), scope)
	if err != nil {
		return 0, err
	}
	if len(leads) > o.maxHistory {
		e.cfg.Logger.Info("reading only the newest leads' histories", "leads", len(leads), "max", o.maxHistory)
		leads = leads[:o.maxHistory]
	}
	if len(leads) > 0 {
		e.setNote(fmt.Sprintf("Catching up on %d lead%s' conversations…", len(leads), plural(len(leads))))
	}
	stored := 0
	for _, l := range leads {
		msgs, err := c.MessageHistory(ctx, l.campaignID, l.leadID)
		switch {
		case err == nil:
		case errors.Is(err, smartlead.ErrNotFound):
			continue // the lead left the campaign
		case ctx.Err() != nil, errors.Is(err, smartlead.ErrRateLimited), errors.Is(err, smartlead.ErrUnreachable):
			return stored, err
		default:
			e.cfg.Logger.Warn("unable to read a lead's message history", "campaign_id", l.campaignID, "lead_id", l.leadID, "error", err)
			continue
		}
		for _, m := range msgs {
			// A reply without a time cannot be placed in the gap: leave it.
			if !strings.EqualFold(m.Type, "REPLY") || m.Time.IsZero() || m.Time.Before(from) {
				continue
			}
			ok, err := e.storeHistoryReply(ctx, l, m)
			if err != nil {
				return stored, err
			}
			if ok {
				stored++
			}
		}
	}
	return stored, nil
}

// activeLeads lists the leads with stored events since since, newest
// activity first, reading at most maxScan events.
func (e *Engine) activeLeads(since time.Time, scope map[string]bool) ([]activeLead, error) {
	var out []activeLead
	seen := map[string]bool{}
	q := store.Query{Limit: store.MaxLimit}
	for scanned := 0; scanned < e.catchUp.opts.maxScan; {
		page, err := e.store.List(q)
		if err != nil {
			return nil, err
		}
		for _, ev := range page.Events {
			scanned++
			if ev.When().Before(since) {
				return out, nil
			}
			k := ev.CampaignID + "/" + ev.LeadID
			if ev.CampaignID == "" || ev.LeadID == "" || seen[k] || (scope != nil && !scope[ev.CampaignID]) {
				continue
			}
			seen[k] = true
			out = append(out, activeLead{campaignID: ev.CampaignID, leadID: ev.LeadID, last: ev})
		}
		if page.Next == "" {
			break
		}
		q.Before = page.Next
	}
	return out, nil
}

// storeHistoryReply stores a reply from a lead's history unless an event
// with its Message-ID is stored already (see replyGuard), and reports
// whether it did.
func (e *Engine) storeHistoryReply(ctx context.Context, l activeLead, m smartlead.Message) (bool, error) {
	ev := historyEvent(l, m, time.Now().UTC())
	if m.MessageID != "" {
		release, err := e.catchUp.replies.claim(ctx, m.MessageID)
		if err != nil {
			return false, err
		}
		defer release()
		if _, ok := e.catchUp.replies.backfilledID(m.MessageID); ok {
			return false, nil
		}
		known, err := e.store.LeadEvents(l.leadID, store.MaxLimit)
		if err != nil {
			return false, err
		}
		for _, k := range known {
			if k.MessageID == m.MessageID {
				return false, nil
			}
		}
	}
	stored, dup, err := e.store.Append(ctx, ev)
	if err != nil || dup {
		return false, err
	}
	if m.MessageID != "" {
		if err := e.catchUp.replies.remember(m.MessageID, stored.ID, ev.ReceivedAt); err != nil {
			e.cfg.Logger.Warn("a backfilled reply may be stored again if SmartLead delivers it", "error", err)
		}
	}
	e.cfg.Logger.Info("reply recovered from the message history", "event_id", stored.ID, "campaign_id", l.campaignID, "lead_id", l.leadID)
	e.broker.Publish(stored)
	return true, nil
}

// historyEvent is the event of a reply read from a lead's history. What
// the history lacks (the lead's name, company, campaign name) comes from
// the lead's newest stored event; Raw is the history entry as read, with
// where it came from. VerifiedBy stays empty: no delivery was verified,
// the reply came from SmartLead's API over HTTPS with the user's key.
func historyEvent(l activeLead, m smartlead.Message, now time.Time) event.Event {
	raw, _ := json.Marshal(map[string]any{
		"source": "message-history", "campaign_id": l.campaignID, "lead_id": l.leadID,
		"message": map[string]any{"stats_id": m.StatsID, "message_id": m.MessageID, "type": m.Type,
			"from": m.From, "to": m.To, "subject": m.Subject, "email_body": m.Body,
			"time": m.Time.UTC().Format(time.RFC3339Nano), "email_seq_number": m.Sequence},
	})
	key := "history|" + l.campaignID + "|" + l.leadID + "|"
	if m.MessageID != "" {
		key += m.MessageID
	} else {
		key += m.StatsID + "|" + m.Time.UTC().Format(time.RFC3339Nano)
	}
	email := l.last.LeadEmail
	if email == "" {
		email = m.From
	}
	return event.Event{
		Type: event.Replied, SourceType: "EMAIL_REPLY",
		Timestamp: m.Time.UTC(), ReceivedAt: now,
		CampaignID: l.campaignID, CampaignName: l.last.CampaignName,
		LeadID: l.leadID, LeadEmail: email, LeadName: l.last.LeadName, Company: l.last.Company,
		CustomFields: l.last.CustomFields, AppURL: l.last.AppURL,
		SequenceNumber: m.Sequence, Subject: m.Subject, Body: smartlead.PlainText(m.Body),
		MessageID: m.MessageID, Backfilled: true, Raw: raw, Key: key,
	}
}
