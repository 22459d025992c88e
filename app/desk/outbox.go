package desk

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// An answer goes through the outbox (store.OutboxEntry): kept as waiting
// the moment Send is clicked, marked sending on disk before SmartLead is
// called, then sent or failed. SmartLead's call is made at most once per
// answer: after a crash, an answer found sending is looked for in the
// lead's message history and marked sent if SmartLead has it, failed (for
// the user to send again) if not; never sent again by itself.

// Answer is what the user wrote.
type Answer struct {
	Body      string
	CC, BCC   []string
	Signature bool
	// Delay is how long to wait before sending; negative for the default
	// undo window, zero to send at once.
	Delay time.Duration
}

// Errors of the desk's calls, for the API to answer.
var (
	// ErrNotAReply: only a lead's reply can be answered.
	ErrNotAReply = errors.New("desk: only a reply can be answered")
	// ErrEmpty: an answer with nothing in it.
	ErrEmpty = errors.New("desk: the answer is empty")
	// ErrTooLate: the answer left, or failed, before it could be taken back.
	ErrTooLate = errors.New("desk: the answer can no longer be taken back")
	// ErrSignedOut: nothing can be asked of SmartLead while signed out.
	ErrSignedOut = errors.New("desk: not signed in to SmartLead")
)

// OutboxMaxAge is how long a finished answer stays in the outbox (the
// daily upkeep forgets older ones); a sent one stays in the lead's
// timeline.
const OutboxMaxAge = 90 * 24 * time.Hour

// maxAnswer bounds an answer's text: e-mail, not a document.
const maxAnswer = 100 << 10

// Answer keeps the answer to the reply eventID, to be sent when its undo
// window ends, and returns it as kept.
func (d *Desk) Answer(eventID string, a Answer) (store.OutboxEntry, error) {
	body := strings.TrimSpace(strings.ReplaceAll(a.Body, "\r\n", "\n"))
	if body == "" {
		return store.OutboxEntry{}, ErrEmpty
	}
	if len(body) > maxAnswer {
		return store.OutboxEntry{}, fmt.Errorf("%w: over %d KB", ErrEmpty, maxAnswer>>10)
	}
	ev, err := d.cfg.Store.Event(eventID)
	if err != nil {
		return store.OutboxEntry{}, err
	}
	if ev.Type != event.Replied {
		return store.OutboxEntry{}, ErrNotAReply
	}
	delay := a.Delay
	if delay < 0 {
		delay = d.cfg.Undo
	}
	now := time.Now().UTC()
	e, err := d.cfg.Store.AddOutbox(store.OutboxEntry{
		EventID: ev.ID, CampaignID: ev.CampaignID, LeadID: ev.LeadID,
		Body: body, CC: clean(a.CC), BCC: clean(a.BCC), Signature: a.Signature,
		CreatedAt: now, SendAt: now.Add(delay), State: store.OutboxWaiting,
	})
	if err != nil {
		return store.OutboxEntry{}, err
	}
	d.cfg.Logger.Info("answer kept", "outbox_id", e.ID, "event_id", ev.ID, "send_at", e.SendAt)
	if err := d.DropDraft(ev.ID); err != nil {
		d.cfg.Logger.Warn("unable to forget a sent draft", "event_id", ev.ID, "error", err)
	}
	d.poke()
	return e, nil
}

// Cancel takes back an answer still in its undo window.
func (d *Desk) Cancel(id string) (store.OutboxEntry, error) {
	e, err := d.cfg.Store.UpdateOutbox(id, func(e *store.OutboxEntry) error {
		if e.State != store.OutboxWaiting {
			return ErrTooLate
		}
		e.State = store.OutboxCancelled
		return nil
	})
	if err == nil {
		d.cfg.Logger.Info("answer taken back", "outbox_id", id)
	}
	return e, err
}

func clean(addrs []string) []string {
	var out []string
	for _, a := range addrs {
		for _, part := range strings.FieldsFunc(a, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			out = append(out, part)
		}
	}
	return out
}

// sendDue sends the answers whose time has come and returns when the next
// one is due (zero: none waits).
func (d *Desk) sendDue(ctx context.Context) time.Time {
	all, err := d.cfg.Store.Outbox()
	if err != nil {
		d.cfg.Logger.Warn("unable to read the outbox", "error", err)
		return time.Now().Add(time.Minute)
	}
	var next time.Time
	for _, e := range all {
		if e.State != store.OutboxWaiting {
			continue
		}
		if e.SendAt.After(time.Now()) {
			if next.IsZero() || e.SendAt.Before(next) {
				next = e.SendAt
			}
			continue
		}
		if ctx.Err() != nil {
			return time.Time{}
		}
		d.send(ctx, e.ID)
	}
	return next
}

// send makes the one call to SmartLead for answer id.
func (d *Desk) send(ctx context.Context, id string) {
	client := d.cfg.Client()
	e, err := d.cfg.Store.UpdateOutbox(id, func(e *store.OutboxEntry) error {
		if e.State != store.OutboxWaiting {
			return ErrTooLate // taken back meanwhile
		}
		if client == nil {
			e.State, e.Problem = store.OutboxFailed, problem(ErrSignedOut)
			return nil
		}
		e.State, e.Attempts = store.OutboxSending, e.Attempts+1
		return nil
	})
	if err != nil || e.State != store.OutboxSending {
		if err != nil && !errors.Is(err, ErrTooLate) {
			d.cfg.Logger.Warn("unable to start sending an answer", "outbox_id", id, "error", err)
		}
		return
	}
	log := d.cfg.Logger.With("outbox_id", id, "event_id", e.EventID)
	reply, err := d.threadOf(ctx, client, e)
	if err == nil {
		err = client.ReplyInThread(ctx, e.CampaignID, smartlead.ThreadReply{
			StatsID: reply.StatsID, ReplyMessageID: reply.MessageID, ReplyTime: reply.Time, ReplyBody: reply.Body,
			Body: answerHTML(e.Body), CC: e.CC, BCC: e.BCC, AddSignature: e.Signature,
		})
	}
	if err != nil {
		log.Warn("answer not sent", "error", err)
		d.finish(id, store.OutboxFailed, problem(err), time.Time{})
		return
	}
	log.Info("answer sent")
	d.sent(ctx, e)
}

// sent records answer e as sent: in the lead's timeline first, then in the
// outbox, so that whoever sees it sent finds it in the timeline.
func (d *Desk) sent(ctx context.Context, e store.OutboxEntry) {
	e.SentAt = time.Now().UTC()
	d.record(ctx, e)
	d.finish(e.ID, store.OutboxSent, "", e.SentAt)
}

// finish marks answer id sent (at sentAt) or failed.
func (d *Desk) finish(id string, state store.OutboxState, why string, sentAt time.Time) (store.OutboxEntry, bool) {
	e, err := d.cfg.Store.UpdateOutbox(id, func(e *store.OutboxEntry) error {
		e.State, e.Problem, e.SentAt = state, why, sentAt
		return nil
	})
	if err != nil {
		// The call was made: the next start finds it sending and looks
		// for it at SmartLead rather than sending it again.
		d.cfg.Logger.Error("unable to record an answer's outcome", "outbox_id", id, "error", err)
		return e, false
	}
	return e, true
}

// record puts a sent answer in the lead's timeline, once (its key is the
// answer's).
func (d *Desk) record(ctx context.Context, e store.OutboxEntry) {
	reply, err := d.cfg.Store.Event(e.EventID)
	if err != nil {
		reply = event.Event{CampaignID: e.CampaignID, LeadID: e.LeadID}
	}
	subject := reply.Subject
	if subject != "" && !strings.HasPrefix(strings.ToLower(subject), "re:") {
		subject = "Re: " + subject
	}
	ev := event.Event{
		Type: event.Sent, SourceType: SourceAnswer, Timestamp: e.SentAt, ReceivedAt: e.SentAt,
		CampaignID: e.CampaignID, CampaignName: reply.CampaignName,
		LeadID: e.LeadID, LeadEmail: reply.LeadEmail, LeadName: reply.LeadName, Company: reply.Company,
		Subject: subject, Body: e.Body, Read: true, Key: "leadbell-answer|" + e.ID,
	}
	stored, dup, err := d.cfg.Store.Append(ctx, ev)
	if err != nil {
		d.cfg.Logger.Warn("unable to put a sent answer in the lead's timeline", "outbox_id", e.ID, "error", err)
		return
	}
	if !dup {
		d.cfg.Stored(stored)
	}
}

// SourceAnswer is the source_type of an answer sent from Leadbell, as the
// lead's timeline shows it.
const SourceAnswer = "LEADBELL_ANSWER"

// answerHTML is the answer as the simple HTML SmartLead sends: paragraphs
// at blank lines, <br> at line breaks, every character escaped.
func answerHTML(text string) string {
	var b strings.Builder
	for i, para := range strings.Split(text, "\n\n") {
		para = strings.Trim(para, "\n")
		if para == "" {
			continue
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}
