package simulator_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/internal/testkit"
)

// A delivery that fails is kept for retrigger-failed-events from its first
// failure, while SmartLead's own retry is still pending; a retrigger that
// gets it through ends that retry, so the receiver sees it once.
func TestFailedIsKeptFromTheFirstFailure(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true, RetryDelays: []time.Duration{time.Second}, DisableAfter: 10})
	var down atomic.Bool
	down.Store(true)
	rcv := newReceiver(t, func(int) int {
		if down.Load() {
			return http.StatusBadGateway
		}
		return http.StatusOK
	})
	ev := s.Generator().Event(event.Replied)
	saveCampaignHook(t, s, ev.Campaign.ID, "", rcv.URL, nil)
	start := time.Now().Add(-time.Second)

	var wg sync.WaitGroup
	var ds []simulator.Delivery
	wg.Go(func() { ds, _ = s.Emit(context.Background(), ev) })
	testkit.WaitFor(t, "the failed delivery to be kept", func() bool { return len(s.Undelivered()) > 0 })
	if got := s.Undelivered(); len(got) != 1 || got[0].MessageID != ev.MessageID {
		t.Fatalf("undelivered %+v, want the reply", got)
	}
	down.Store(false)
	retrigger(t, s, ev.Campaign.ID, start, time.Now().Add(time.Second))
	wg.Wait() // the pending retry wakes up and finds the event delivered
	if n := len(s.Undelivered()); n != 0 {
		t.Errorf("%d undelivered after the retrigger, want 0", n)
	}
	if rcv.count() != 2 || len(ds) != 1 {
		t.Fatalf("receiver got %d deliveries (Emit made %d), want the failed one and the retriggered one only", rcv.count(), len(ds))
	}
	all := s.Deliveries()
	if last := all[len(all)-1]; !last.Retriggered || !last.OK() || string(last.Body) != string(ds[0].Body) {
		t.Errorf("last delivery %+v, want the acknowledged retrigger of the same body", last)
	}
}

// A webhook SmartLead disabled gets no attempts, so nothing is kept for
// retrigger; the lead's message history still has the reply, on either
// kind of account.
func TestDisabledWebhookLeavesOnlyHistory(t *testing.T) {
	for _, fam := range []simulator.Family{simulator.FamilyLive, simulator.FamilyBoth} {
		t.Run(fam.String(), func(t *testing.T) {
			s := newFake(t, simulator.Options{Family: fam, NoTestEvents: true})
			rcv := newReceiver(t, always(http.StatusOK))
			ev := s.Generator().Event(event.Replied)
			s.DisableWebhook(saveCampaignHook(t, s, ev.Campaign.ID, "", rcv.URL, nil))
			if ds, _ := s.Emit(context.Background(), ev); len(ds) != 0 || len(s.Undelivered()) != 0 {
				t.Fatalf("%d deliveries, %d kept for retrigger; want none", len(ds), len(s.Undelivered()))
			}
			var got struct {
				History []struct {
					Type      string `json:"type"`
					MessageID string `json:"message_id"`
					Time      string `json:"time"`
				} `json:"history"`
			}
			mustCall(t, s, "GET", "/campaigns/"+ev.Campaign.ID+"/leads/"+ev.Lead.ID+"/message-history", "", &got)
			h := got.History
			if len(h) == 0 || h[len(h)-1].Type != "REPLY" || h[len(h)-1].MessageID != ev.MessageID ||
				h[len(h)-1].Time != ev.At.UTC().Format("2006-01-02T15:04:05.000Z") {
				t.Errorf("history %+v, want it to end with the reply", h)
			}
		})
	}
}

func TestEventForContinuesTheLeadsThread(t *testing.T) {
	g := simulator.NewGenerator(3)
	lead := g.Leads()[5]
	sent := g.EventFor(event.Sent, lead)
	reply := g.EventFor(event.Replied, lead)
	if sent.Lead.ID != lead.ID || reply.Lead.ID != lead.ID || reply.Campaign.ID != lead.CampaignID {
		t.Fatalf("events for %s went to %s and %s", lead.ID, sent.Lead.ID, reply.Lead.ID)
	}
	if reply.StatsID != sent.StatsID || reply.Sent.MessageID != sent.Sent.MessageID || !reply.At.After(sent.At) {
		t.Errorf("the reply does not answer the e-mail sent before it: %+v / %+v", reply.Sent, sent.Sent)
	}
}
