package smartlead_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// answerable emits a reply of a lead (so SmartLead's history holds it) and
// returns the answer to it that Leadbell would send.
func answerable(t *testing.T, s *simulator.Server) (simulator.Sample, smartlead.ThreadReply) {
	t.Helper()
	lead := s.Generator().Leads()[2]
	reply := s.Generator().EventFor(event.Replied, lead)
	if _, err := s.Emit(context.Background(), reply); err != nil {
		t.Fatal(err)
	}
	return reply, smartlead.ThreadReply{StatsID: reply.StatsID, Body: "<p>Tuesday at 10 works.</p>",
		ReplyMessageID: reply.MessageID, ReplyTime: reply.At, ReplyBody: reply.BodyHTML,
		CC: []string{"a@x.test", "b@x.test"}, AddSignature: true}
}

func TestReplyInThread(t *testing.T) {
	s := newFake(t, simulator.Options{Seed: 3})
	h := newHarness(s.URL(), s.APIKey(), 0)
	reply, answer := answerable(t, s)
	if err := h.c.ReplyInThread(context.Background(), reply.Campaign.ID, answer); err != nil {
		t.Fatal(err)
	}
	got := s.ThreadReplies()
	if len(got) != 1 {
		t.Fatalf("SmartLead took %d answers, want 1", len(got))
	}
	r := got[0]
	if r.StatsID != reply.StatsID || r.ReplyMessageID != reply.MessageID || !r.ReplyTime.Equal(reply.At.Truncate(time.Millisecond)) ||
		r.Body != answer.Body || r.CC != "a@x.test,b@x.test" || r.BCC != "" || !r.AddSignature {
		t.Errorf("SmartLead took %+v, want the answer to %s with its fields", r, reply.MessageID)
	}
	history, err := h.c.MessageHistory(context.Background(), reply.Campaign.ID, reply.Lead.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := history[len(history)-1]; last.Type != "SENT" || last.Body != answer.Body {
		t.Errorf("the lead's history ends with %+v, want the answer", last)
	}
}

// What SmartLead refuses, the client says: a missing field, a thread it
// does not know, a campaign that is gone.
func TestReplyInThreadRefusals(t *testing.T) {
	s := newFake(t, simulator.Options{Seed: 3})
	h := newHarness(s.URL(), s.APIKey(), 0)
	reply, answer := answerable(t, s)
	noStats := answer
	noStats.StatsID = ""
	var apiErr *smartlead.APIError
	err := h.c.ReplyInThread(context.Background(), reply.Campaign.ID, noStats)
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || !strings.Contains(apiErr.Message, "email_stats_id") {
		t.Errorf("an answer without email_stats_id: %v, want SmartLead's 400 naming it", err)
	}
	stranger := answer
	stranger.StatsID, stranger.ReplyMessageID = "99999999", "<nobody@x.test>"
	if err := h.c.ReplyInThread(context.Background(), reply.Campaign.ID, stranger); !errors.Is(err, smartlead.ErrThreadNotFound) {
		t.Errorf("an answer in an unknown thread: %v, want ErrThreadNotFound", err)
	}
	if err := h.c.ReplyInThread(context.Background(), "1", answer); !errors.Is(err, smartlead.ErrNotFound) {
		t.Errorf("an answer in an unknown campaign: %v, want ErrNotFound", err)
	}
	if n := len(s.ThreadReplies()); n != 0 {
		t.Errorf("SmartLead took %d refused answers", n)
	}
}

// An answer is tried once: a 5xx may come after SmartLead queued it, so
// trying again could send it twice. A 429 is refused before anything is
// done, so it is waited out and tried again.
func TestReplyInThreadIsNotRepeated(t *testing.T) {
	s := newFake(t, simulator.Options{Seed: 3})
	h := newHarness(s.URL(), s.APIKey(), 3)
	reply, answer := answerable(t, s)
	calls := func() int {
		n := 0
		for _, c := range s.Calls() {
			if strings.HasSuffix(c.Path, "/reply-email-thread") {
				n++
			}
		}
		return n
	}
	s.FailNext(1, http.StatusBadGateway)
	if err := h.c.ReplyInThread(context.Background(), reply.Campaign.ID, answer); err == nil {
		t.Fatal("a 502 was taken for a sent answer")
	}
	if n := calls(); n != 1 {
		t.Fatalf("%d calls after a 502, want 1: the answer may have been queued", n)
	}
	s.FailNext(1, http.StatusTooManyRequests)
	if err := h.c.ReplyInThread(context.Background(), reply.Campaign.ID, answer); err != nil {
		t.Fatalf("after a 429: %v, want the answer sent on the next try", err)
	}
	if n, took := calls(), len(s.ThreadReplies()); n != 3 || took != 1 {
		t.Errorf("%d calls and %d answers taken, want 3 calls (502, 429, 200) and one answer", n, took)
	}
}

func TestSetLeadCategory(t *testing.T) {
	s := newFake(t, simulator.Options{Seed: 3})
	h := newHarness(s.URL(), s.APIKey(), 0)
	lead := s.Generator().Leads()[0]
	ctx := context.Background()
	if err := h.c.SetLeadCategory(ctx, lead.CampaignID, lead.ID, "2", true); err != nil {
		t.Fatal(err)
	}
	if cat, paused := s.LeadCategory(lead.CampaignID, lead.ID); cat != "Meeting Request" || !paused {
		t.Errorf("lead category %q paused %v, want Meeting Request and paused", cat, paused)
	}
	if err := h.c.SetLeadCategory(ctx, lead.CampaignID, lead.ID, "", false); err != nil {
		t.Fatal(err)
	}
	if cat, _ := s.LeadCategory(lead.CampaignID, lead.ID); cat != "" {
		t.Errorf("lead category %q after clearing it", cat)
	}
	var apiErr *smartlead.APIError
	if err := h.c.SetLeadCategory(ctx, lead.CampaignID, lead.ID, "404", false); !errors.As(err, &apiErr) || apiErr.Status != 400 {
		t.Errorf("an unknown category: %v, want SmartLead's 400", err)
	}
	if err := h.c.SetLeadCategory(ctx, lead.CampaignID, "1", "1", false); !errors.Is(err, smartlead.ErrNotFound) {
		t.Errorf("a lead not in the campaign: %v, want ErrNotFound", err)
	}
}
