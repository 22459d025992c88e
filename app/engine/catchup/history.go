package catchup

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
// first, at most MaxHistory of them.

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
func (c *Catcher) historyReplies(ctx context.Context, client *smartlead.Client, scope map[string]bool, from time.Time) (int, error) {
	leads, err := c.activeLeads(from.Add(-c.opts.Lookback), scope)
	if err != nil {
		return 0, err
	}
	if len(leads) > c.opts.MaxHistory {
		c.log.Info("reading only the newest leads' histories", "leads", len(leads), "max", c.opts.MaxHistory)
		leads = leads[:c.opts.MaxHistory]
	}
	if len(leads) > 0 {
		c.host.Note(fmt.Sprintf("Catching up on %d lead%s' conversations…", len(leads), plural(len(leads))))
	}
	stored := 0
	for _, l := range leads {
		msgs, err := client.MessageHistory(ctx, l.campaignID, l.leadID)
		switch {
		case err == nil:
		case errors.Is(err, smartlead.ErrNotFound):
			continue // the lead left the campaign
		case ctx.Err() != nil, errors.Is(err, smartlead.ErrRateLimited), errors.Is(err, smartlead.ErrUnreachable):
			return stored, err
		default:
			c.log.Warn("unable to read a lead's message history", "campaign_id", l.campaignID, "lead_id", l.leadID, "error", err)
			continue
		}
		for _, m := range msgs {
			// A reply without a time cannot be placed in the gap: leave it.
			if !strings.EqualFold(m.Type, "REPLY") || m.Time.IsZero() || m.Time.Before(from) {
				continue
			}
			ok, err := c.storeHistoryReply(ctx, l, m)
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
// activity first, reading at most MaxScan events.
func (c *Catcher) activeLeads(since time.Time, scope map[string]bool) ([]activeLead, error) {
	var out []activeLead
	seen := map[string]bool{}
	q := store.Query{Limit: store.MaxLimit}
	for scanned := 0; scanned < c.opts.MaxScan; {
		page, err := c.st.List(q)
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
// with its Message-ID is stored already (see Guard), and reports
// whether it did.
func (c *Catcher) storeHistoryReply(ctx context.Context, l activeLead, m smartlead.Message) (bool, error) {
	ev := historyEvent(l, m, time.Now().UTC())
	if m.MessageID != "" {
		release, err := c.guard.claim(ctx, m.MessageID)
		if err != nil {
			return false, err
		}
		defer release()
		if _, ok := c.guard.backfilledID(m.MessageID); ok {
			return false, nil
		}
		known, err := c.st.LeadEvents(l.leadID, store.MaxLimit)
		if err != nil {
			return false, err
		}
		for _, k := range known {
			if k.MessageID == m.MessageID {
				return false, nil
			}
		}
	}
	stored, dup, err := c.st.Append(ctx, ev)
	if err != nil || dup {
		return false, err
	}
	if m.MessageID != "" {
		if err := c.guard.remember(m.MessageID, stored.ID, ev.ReceivedAt); err != nil {
			c.log.Warn("a backfilled reply may be stored again if SmartLead delivers it", "error", err)
		}
	}
	c.log.Info("reply recovered from the message history", "event_id", stored.ID, "campaign_id", l.campaignID, "lead_id", l.leadID)
	c.publish(stored)
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
