package smartleadtest_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/smartleadtest"
	"golang.org/x/time/rate"
)

// receiver is a webhook endpoint on loopback that answers what answer
// says for the n-th delivery (from 0) and keeps what it got.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	heads  []http.Header
	answer func(n int) int
}

func newReceiver(t *testing.T, answer func(n int) int) *receiver {
	t.Helper()
	r := &receiver{answer: answer}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		n := len(r.bodies)
		r.bodies = append(r.bodies, body)
		r.heads = append(r.heads, req.Header.Clone())
		r.mu.Unlock()
		w.WriteHeader(r.answer(n))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

func always(status int) func(int) int { return func(int) int { return status } }

// newFake starts a fake and a client for it.
func newFake(t *testing.T, opts smartleadtest.Options) (*smartleadtest.Server, *smartlead.Client) {
	t.Helper()
	s := smartleadtest.NewServer(opts)
	t.Cleanup(s.Close)
	c := smartlead.NewClient(s.URL(), s.APIKey(), smartlead.ClientOptions{Limiter: rate.NewLimiter(rate.Inf, 0)})
	return s, c
}

func register(t *testing.T, c *smartlead.Client, w smartlead.Webhook) smartlead.Webhook {
	t.Helper()
	if len(w.EventTypes) == 0 {
		w.EventTypes = smartlead.EventTypes
	}
	if w.Name == "" {
		w.Name = "Leadbell"
	}
	got, err := c.CreateWebhook(context.Background(), w)
	if err != nil {
		t.Fatalf("CreateWebhook: %v", err)
	}
	return got
}

func hmacHex(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func TestEmitSignsEachShape(t *testing.T) {
	const secret = "whsec-7f3a9c"
	for _, shape := range []smartleadtest.Shape{smartleadtest.ShapeSpec, smartleadtest.ShapeLive} {
		t.Run(shape.String(), func(t *testing.T) {
			s, c := newFake(t, smartleadtest.Options{Shape: shape, Secret: secret, Seed: 1})
			rcv := newReceiver(t, always(http.StatusOK))
			hook := register(t, c, smartlead.Webhook{URL: rcv.URL + "/hooks/tok"})
			ev := s.Generator().Event(smartlead.EventReplied)
			ds, err := s.Emit(context.Background(), ev)
			if err != nil || len(ds) != 1 || !ds[0].OK() || ds[0].WebhookID != hook.ID {
				t.Fatalf("Emit = %+v, %v; want one acknowledged delivery to %s", ds, err, hook.ID)
			}
			body, head := rcv.bodies[0], rcv.heads[0]
			if shape == smartleadtest.ShapeSpec {
				if got, want := head.Get("X-Smartlead-Signature"), "sha256="+hmacHex(body, secret); got != want {
					t.Errorf("signature %q, want %q", got, want)
				}
			} else {
				var m map[string]any
				if err := json.Unmarshal(body, &m); err != nil || m["secret_key"] != secret {
					t.Errorf("secret_key %v (%v), want the secret", m["secret_key"], err)
				}
				if fmt.Sprint(m["webhook_id"]) != hook.ID {
					t.Errorf("webhook_id %v, want %s", m["webhook_id"], hook.ID)
				}
				if head.Get("X-Smartlead-Signature") != "" {
					t.Error("a live-shape delivery carries a signature header")
				}
			}
			parsed, err := smartlead.Parse(body)
			if err != nil || parsed.Type != smartlead.EventReplied || parsed.LeadEmail != ev.Lead.Email {
				t.Errorf("Parse = %v %q, %v", parsed.Type, parsed.LeadEmail, err)
			}
		})
	}
}

func TestEmitRetriesAfterFailure(t *testing.T) {
	s, c := newFake(t, smartleadtest.Options{RetryDelays: []time.Duration{time.Millisecond, time.Millisecond}})
	rcv := newReceiver(t, func(n int) int {
		if n == 0 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	register(t, c, smartlead.Webhook{URL: rcv.URL})
	ds, err := s.Emit(context.Background(), s.Generator().Event(smartlead.EventOpened))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].Status != 500 || ds[1].Status != 200 || ds[1].Attempt != 2 {
		t.Fatalf("deliveries %+v, want a 500 then a 200 on attempt 2", ds)
	}
	if string(rcv.bodies[0]) != string(rcv.bodies[1]) {
		t.Error("the retry's body differs from the first attempt's")
	}
	if !s.Webhooks()[0].Enabled {
		t.Error("webhook disabled after one failure")
	}
}

func TestEmitDisablesAfterFailures(t *testing.T) {
	s, c := newFake(t, smartleadtest.Options{DisableAfter: 3,
		RetryDelays: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond, time.Millisecond}})
	rcv := newReceiver(t, always(http.StatusServiceUnavailable))
	register(t, c, smartlead.Webhook{URL: rcv.URL})
	ds, _ := s.Emit(context.Background(), s.Generator().Event(smartlead.EventSent))
	if len(ds) != 3 {
		t.Fatalf("%d attempts, want 3 before the webhook is disabled", len(ds))
	}
	if s.Webhooks()[0].Enabled {
		t.Fatal("webhook still enabled after 3 consecutive failures")
	}
	ds, _ = s.Emit(context.Background(), s.Generator().Event(smartlead.EventSent))
	if len(ds) != 0 || rcv.count() != 3 {
		t.Errorf("a disabled webhook got %d more deliveries", len(ds))
	}
}

func TestEmitMatchesScopeAndTypes(t *testing.T) {
	s, c := newFake(t, smartleadtest.Options{})
	rcv := newReceiver(t, always(http.StatusOK))
	ev := s.Generator().Event(smartlead.EventReplied)
	var other string
	for _, camp := range s.Campaigns() {
		if camp.ID != ev.Campaign.ID {
			other = camp.ID
		}
	}
	user := register(t, c, smartlead.Webhook{URL: rcv.URL + "/user"})
	same := register(t, c, smartlead.Webhook{URL: rcv.URL + "/same", CampaignID: ev.Campaign.ID})
	register(t, c, smartlead.Webhook{URL: rcv.URL + "/other", CampaignID: other})
	register(t, c, smartlead.Webhook{URL: rcv.URL + "/opens", EventTypes: []smartlead.EventType{smartlead.EventOpened}})
	ds, err := s.Emit(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, d := range ds {
		got[d.WebhookID] = true
	}
	if len(ds) != 2 || !got[user.ID] || !got[same.ID] {
		t.Errorf("delivered to %v, want exactly the user-level and same-campaign webhooks (%s, %s)", got, user.ID, same.ID)
	}
}

func TestEmitDuplicates(t *testing.T) {
	s, c := newFake(t, smartleadtest.Options{DuplicateRate: 1})
	rcv := newReceiver(t, always(http.StatusOK))
	register(t, c, smartlead.Webhook{URL: rcv.URL})
	ds, _ := s.Emit(context.Background(), s.Generator().Event(smartlead.EventClicked))
	if len(ds) != 2 || !ds[1].Duplicate || string(rcv.bodies[0]) != string(rcv.bodies[1]) {
		t.Fatalf("deliveries %+v, want the same body twice, the second marked duplicate", ds)
	}
}

func TestRetriggerRedeliversFailed(t *testing.T) {
	s, c := newFake(t, smartleadtest.Options{RetryDelays: []time.Duration{}, DisableAfter: 10})
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
	ev := s.Generator().Event(smartlead.EventReplied)
	register(t, c, smartlead.Webhook{URL: rcv.URL, CampaignID: ev.Campaign.ID})
	start := time.Now().Add(-time.Second)
	if ds, _ := s.Emit(context.Background(), ev); len(ds) != 1 || ds[0].OK() {
		t.Fatalf("deliveries %+v, want one failed attempt", ds)
	}
	mu.Lock()
	down = false
	mu.Unlock()
	ctx := context.Background()
	// A window before the failure re-delivers nothing.
	if err := c.RetriggerFailed(ctx, ev.Campaign.ID, start.Add(-time.Hour), start); err != nil {
		t.Fatal(err)
	}
	if rcv.count() != 1 {
		t.Fatalf("retrigger outside the window delivered; %d deliveries", rcv.count())
	}
	if err := c.RetriggerFailed(ctx, ev.Campaign.ID, start, time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if rcv.count() != 2 || string(rcv.bodies[0]) != string(rcv.bodies[1]) {
		t.Fatalf("want the failed event delivered again, same body; got %d deliveries", rcv.count())
	}
	all := s.Deliveries()
	if last := all[len(all)-1]; !last.Retriggered || !last.OK() {
		t.Errorf("last delivery %+v, want an acknowledged retriggered one", last)
	}
	// Delivered now: a second retrigger has nothing to send.
	if err := c.RetriggerFailed(ctx, ev.Campaign.ID, start, time.Now().Add(time.Second)); err != nil || rcv.count() != 2 {
		t.Errorf("second retrigger: %v, %d deliveries; want nothing re-sent", err, rcv.count())
	}
}
