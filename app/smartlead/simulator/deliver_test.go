package simulator_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

func hmacHex(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// retrigger asks the fake to re-send a campaign's failed events of a window.
func retrigger(t *testing.T, s *simulator.Server, cid string, from, to time.Time) {
	t.Helper()
	const layout = "2006-01-02T15:04:05.000Z"
	mustCall(t, s, "POST", "/campaigns/"+cid+"/webhooks/retrigger-failed-events", jsonOf(t, map[string]string{
		"fromTime": from.UTC().Format(layout), "toTime": to.UTC().Format(layout)}), nil)
}

func TestEmitSignsEachShape(t *testing.T) {
	const secret = "whsec-7f3a9c"
	for _, shape := range []simulator.Shape{simulator.ShapeSpec, simulator.ShapeLive} {
		t.Run(shape.String(), func(t *testing.T) {
			s := newFake(t, simulator.Options{Shape: shape, Secret: secret, Seed: 1, NoTestEvents: true})
			rcv := newReceiver(t, always(http.StatusOK))
			ev := s.Generator().Event(event.Replied)
			hook := saveCampaignHook(t, s, ev.Campaign.ID, "", rcv.URL+"/hooks/tok", nil)
			ds, err := s.Emit(context.Background(), ev)
			if err != nil || len(ds) != 1 || !ds[0].OK() || ds[0].WebhookID != hook {
				t.Fatalf("Emit = %+v, %v; want one acknowledged delivery to %s", ds, err, hook)
			}
			a := rcv.next(t)
			if shape == simulator.ShapeSpec {
				if got, want := a.header.Get(smartlead.SignatureHeader), "sha256="+hmacHex(a.body, secret); got != want {
					t.Errorf("signature %q, want %q", got, want)
				}
			} else {
				var m map[string]any
				if err := json.Unmarshal(a.body, &m); err != nil || m["secret_key"] != secret {
					t.Errorf("secret_key %v (%v), want the secret", m["secret_key"], err)
				}
				if fmt.Sprint(m["webhook_id"]) != hook {
					t.Errorf("webhook_id %v, want %s", m["webhook_id"], hook)
				}
				if a.header.Get(smartlead.SignatureHeader) != "" {
					t.Error("a live-shape delivery carries a signature header")
				}
			}
			parsed, err := smartlead.Parse(a.body)
			if err != nil || parsed.Type != event.Replied || parsed.LeadEmail != ev.Lead.Email {
				t.Errorf("Parse = %v %q, %v", parsed.Type, parsed.LeadEmail, err)
			}
		})
	}
}

func TestEmitRetriesAfterFailure(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true, RetryDelays: []time.Duration{time.Millisecond, time.Millisecond}})
	rcv := newReceiver(t, func(n int) int {
		if n == 0 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	ev := s.Generator().Event(event.Opened)
	saveCampaignHook(t, s, ev.Campaign.ID, "", rcv.URL, nil)
	ds, err := s.Emit(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].Status != 500 || ds[1].Status != 200 || ds[1].Attempt != 2 {
		t.Fatalf("deliveries %+v, want a 500 then a 200 on attempt 2", ds)
	}
	if string(rcv.body(0)) != string(rcv.body(1)) {
		t.Error("the retry's body differs from the first attempt's")
	}
	if !s.Webhooks()[0].Enabled {
		t.Error("webhook disabled after one failure")
	}
}

func TestEmitDisablesAfterFailures(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true, DisableAfter: 3,
		RetryDelays: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond, time.Millisecond}})
	rcv := newReceiver(t, always(http.StatusServiceUnavailable))
	lead := s.Generator().Leads()[0]
	saveCampaignHook(t, s, lead.CampaignID, "", rcv.URL, nil)
	ds, _ := s.Emit(context.Background(), s.Generator().EventFor(event.Sent, lead))
	if len(ds) != 3 {
		t.Fatalf("%d attempts, want 3 before the webhook is disabled", len(ds))
	}
	if s.Webhooks()[0].Enabled {
		t.Fatal("webhook still enabled after 3 consecutive failures")
	}
	ds, _ = s.Emit(context.Background(), s.Generator().EventFor(event.Sent, lead))
	if len(ds) != 0 || rcv.count() != 3 {
		t.Errorf("a disabled webhook got %d more deliveries", len(ds))
	}
}

func TestEmitDuplicates(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true, DuplicateRate: 1})
	rcv := newReceiver(t, always(http.StatusOK))
	ev := s.Generator().Event(event.Clicked)
	saveCampaignHook(t, s, ev.Campaign.ID, "", rcv.URL, nil)
	ds, _ := s.Emit(context.Background(), ev)
	if len(ds) != 2 || !ds[1].Duplicate || string(rcv.body(0)) != string(rcv.body(1)) {
		t.Fatalf("deliveries %+v, want the same body twice, the second marked duplicate", ds)
	}
}

func TestRetriggerRedeliversFailed(t *testing.T) {
	s := newFake(t, simulator.Options{NoTestEvents: true, RetryDelays: []time.Duration{}, DisableAfter: 10})
	down := true
	var mu sync.Mutex
	rcv := newReceiver(t, func(int) int {
		mu.Lock()
		defer mu.Unlock()
		if down {
			return http.StatusBadGateway
		}
		return http.StatusOK
	})
	ev := s.Generator().Event(event.Replied)
	saveCampaignHook(t, s, ev.Campaign.ID, "", rcv.URL, nil)
	start := time.Now().Add(-time.Second)
	if ds, _ := s.Emit(context.Background(), ev); len(ds) != 1 || ds[0].OK() {
		t.Fatalf("deliveries %+v, want one failed attempt", ds)
	}
	mu.Lock()
	down = false
	mu.Unlock()
	// A window before the failure re-delivers nothing.
	retrigger(t, s, ev.Campaign.ID, start.Add(-time.Hour), start)
	if rcv.count() != 1 {
		t.Fatalf("retrigger outside the window delivered; %d deliveries", rcv.count())
	}
	retrigger(t, s, ev.Campaign.ID, start, time.Now().Add(time.Second))
	if rcv.count() != 2 || string(rcv.body(0)) != string(rcv.body(1)) {
		t.Fatalf("want the failed event delivered again, same body; got %d deliveries", rcv.count())
	}
	all := s.Deliveries()
	if last := all[len(all)-1]; !last.Retriggered || !last.OK() {
		t.Errorf("last delivery %+v, want an acknowledged retriggered one", last)
	}
	// Delivered now: a second retrigger has nothing to send.
	retrigger(t, s, ev.Campaign.ID, start, time.Now().Add(time.Second))
	if rcv.count() != 2 {
		t.Errorf("second retrigger: %d deliveries; want nothing re-sent", rcv.count())
	}
}
