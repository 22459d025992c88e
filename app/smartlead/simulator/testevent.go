package simulator

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
)

// testEvent is the body of the test event SmartLead sends when a webhook
// is saved, in the live flat shape.
type testEvent struct {
	WebhookID      any               `json:"webhook_id"`
	WebhookName    string            `json:"webhook_name"`
	WebhookURL     string            `json:"webhook_url"`
	EventType      string            `json:"event_type"`
	EventTimestamp string            `json:"event_timestamp"`
	CampaignID     any               `json:"campaign_id"`
	CampaignName   string            `json:"campaign_name"`
	ClientID       any               `json:"client_id"`
	SLLeadEmail    string            `json:"sl_lead_email"`
	ToEmail        string            `json:"to_email"`
	ToName         string            `json:"to_name"`
	Subject        string            `json:"subject"`
	SecretKey      string            `json:"secret_key"`
	Description    string            `json:"description"`
	Metadata       map[string]string `json:"metadata"`
}

// testEventSecret is what the dashboard's test event carries as its
// secret_key, whatever the user's secret.
const testEventSecret = "secretkey"

// TestEventBody is the test event SmartLead sends to w's URL when w is
// saved ("SmartLead will send test events when you save the webhook", the
// spec). Evidence: a captured dashboard test event carries
// "secret_key": "secretkey" literally, not the user's secret, so a
// receiver that checks secret_key refuses it. Everything else is our
// guess, kept plausible: the live flat shape, event_type the live name of
// w's first subscribed type (EMAIL_REPLY when w has it), w's id, name and
// URL, a placeholder lead test@smartlead.ai, a "This is a test webhook
// event" description, no stats_id or message ids, and now as the time.
func TestEventBody(w smartlead.Webhook) []byte {
	return testEventBody(w, time.Now())
}

func testEventBody(w smartlead.Webhook, at time.Time) []byte {
	return mustJSON(testEvent{
		WebhookID: numericID(w.ID), WebhookName: w.Name, WebhookURL: w.URL,
		EventType: testEventName(w), EventTimestamp: at.UTC().Format(liveTime),
		CampaignID: numericID(w.CampaignID), CampaignName: "Test Campaign", ClientID: numericID(w.ClientID),
		SLLeadEmail: "test@smartlead.ai", ToEmail: "test@smartlead.ai", ToName: "Test Lead",
		Subject: "Test webhook event", SecretKey: testEventSecret,
		Description: "This is a test webhook event",
		Metadata:    map[string]string{"webhook_created_at": at.UTC().Format(liveTime)},
	})
}

// testEventName is the live name of the type a test event to w has.
func testEventName(w smartlead.Webhook) string {
	if len(w.EventTypes) == 0 || slices.Contains(w.EventTypes, event.Replied) {
		return "EMAIL_REPLY"
	}
	return liveNameOf(w.EventTypes[0])
}

// sendTestEvent sends w its test event in the background, once: it is
// never retried and its failure never counts against the webhook. It is
// recorded in Deliveries with Test set. Options.NoTestEvents turns it off.
func (s *Server) sendTestEvent(w smartlead.Webhook) {
	if s.opts.NoTestEvents {
		return
	}
	body := TestEventBody(w)
	header := http.Header{"Content-Type": {"application/json"}}
	name := testEventName(w)
	t, _ := typeOfLive(name)
	s.background(func(ctx context.Context) {
		d := Delivery{WebhookID: w.ID, CampaignID: w.CampaignID, EventType: t, EventName: name,
			Shape: ShapeLive, Body: body, Header: header.Clone(), Attempt: 1, At: time.Now(), Test: true}
		status, err := Deliver(ctx, s.client, w.URL, body, header)
		d.Status = status
		if err != nil {
			d.Err = err.Error()
		}
		s.mu.Lock()
		s.deliveries = append(s.deliveries, d)
		s.mu.Unlock()
		s.log.Debug("test event", "webhook_id", w.ID, "event", name, "status", status)
	})
}
