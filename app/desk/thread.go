package desk

import (
	"context"
	"errors"
	"html"
	"strings"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// thread is what SmartLead needs to know of the reply an answer answers.
type thread struct {
	StatsID, MessageID string
	Time               time.Time
	Body               string // HTML
}

// errNoThread: neither the stored reply nor SmartLead's history of the
// lead says which e-mail the answer belongs to.
var errNoThread = errors.New("desk: the reply's thread is unknown")

// threadOf finds the thread of answer e's reply: from the stored reply
// when the delivery carried its stats_id and Message-ID (a live-shape
// delivery does), else from the lead's message history at SmartLead.
func (d *Desk) threadOf(ctx context.Context, c *smartlead.Client, e store.OutboxEntry) (thread, error) {
	ev, err := d.cfg.Store.Event(e.EventID)
	if err != nil {
		return thread{}, err
	}
	t := thread{StatsID: ev.StatsID, MessageID: ev.MessageID, Time: ev.When(), Body: replyHTML(ev)}
	if t.StatsID != "" && t.MessageID != "" {
		return t, nil
	}
	history, err := c.MessageHistory(ctx, ev.CampaignID, ev.LeadID)
	if err != nil {
		return thread{}, err
	}
	if m, ok := replyIn(history, ev); ok {
		return thread{StatsID: m.StatsID, MessageID: m.MessageID, Time: m.Time, Body: m.Body}, nil
	}
	return thread{}, errNoThread
}

// replyIn finds the reply ev in a lead's history: by its Message-ID, else
// the lead's last reply at or before its time (a minute's leeway).
func replyIn(history []smartlead.Message, ev event.Event) (smartlead.Message, bool) {
	var best smartlead.Message
	found := false
	for _, m := range history {
		if !strings.EqualFold(m.Type, "REPLY") || m.StatsID == "" || m.MessageID == "" {
			continue
		}
		if ev.MessageID != "" && m.MessageID == ev.MessageID {
			return m, true
		}
		if !m.Time.After(ev.When().Add(time.Minute)) && (!found || m.Time.After(best.Time)) {
			best, found = m, true
		}
	}
	return best, found
}

// replyHTML is the stored reply's text as the HTML reply_email_body takes
// (the delivery's own HTML is not kept apart from the raw payload).
func replyHTML(ev event.Event) string {
	if ev.Body == "" {
		return ""
	}
	return answerHTML(ev.Body)
}

// recover settles the answers a crash or a kill left sending: SmartLead
// may or may not have taken each. One it shows in the lead's history (a
// sent e-mail after the answer was kept, holding its first line) is
// marked sent; any other is marked failed for the user to send again.
// None is sent again by itself: a lead must never get an answer twice.
func (d *Desk) recover(ctx context.Context) {
	all, err := d.cfg.Store.Outbox()
	if err != nil {
		d.cfg.Logger.Warn("unable to read the outbox", "error", err)
		return
	}
	for _, e := range all {
		if e.State != store.OutboxSending {
			continue
		}
		if d.foundAtSmartLead(ctx, e) {
			d.cfg.Logger.Info("an answer interrupted while sending was sent", "outbox_id", e.ID)
			d.sent(ctx, e)
			continue
		}
		d.cfg.Logger.Warn("an answer interrupted while sending is not at SmartLead", "outbox_id", e.ID)
		d.finish(e.ID, store.OutboxFailed, problem(errInterrupted), time.Time{})
	}
}

// errInterrupted: Leadbell stopped while sending, and SmartLead does not
// show the answer.
var errInterrupted = errors.New("desk: interrupted while sending")

// foundAtSmartLead looks for answer e among the e-mails SmartLead sent
// the lead since it was kept.
func (d *Desk) foundAtSmartLead(ctx context.Context, e store.OutboxEntry) bool {
	c := d.cfg.Client()
	if c == nil {
		return false
	}
	history, err := c.MessageHistory(ctx, e.CampaignID, e.LeadID)
	if err != nil {
		d.cfg.Logger.Warn("unable to read a lead's history to settle an answer", "outbox_id", e.ID, "error", err)
		return false
	}
	first, _, _ := strings.Cut(e.Body, "\n")
	first = strings.TrimSpace(first)
	for _, m := range history {
		if strings.EqualFold(m.Type, "SENT") && !m.Time.Before(e.CreatedAt.Add(-time.Minute)) &&
			strings.Contains(html.UnescapeString(m.Body), first) {
			return true
		}
	}
	return false
}
