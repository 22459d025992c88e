package simulator

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
)

// Delivery is one attempt to deliver an event to a webhook.
type Delivery struct {
	WebhookID   string
	CampaignID  string
	EventType   event.Type
	EventName   string // the name in the payload (live or spec)
	Shape       Shape
	Status      int    // the receiver's answer; 0 when there was none
	Err         string // why there was no answer
	Body        []byte
	Header      http.Header
	Attempt     int // 1 for the first try
	At          time.Time
	Duplicate   bool // a deliberate second delivery of a delivered event
	Retriggered bool // sent by retrigger-failed-events
	Test        bool // the test event sent when the webhook was saved
}

// OK reports whether the receiver acknowledged the delivery.
func (d Delivery) OK() bool { return d.Status >= 200 && d.Status < 300 }

// Sign returns the X-Smartlead-Signature value for body: "sha256=" and the
// hex HMAC-SHA256 of the raw bytes under secret.
func Sign(body []byte, secret string) string {
	return "sha256=" + smartlead.Sign(body, secret)
}

// Deliver POSTs body to url with header, as SmartLead's sender does, and
// returns the answer's status. It is what `leadbell trigger` sends with.
func Deliver(ctx context.Context, client *http.Client, url string, body []byte, header http.Header) (int, error) {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("simulator: bad webhook URL: %w", err)
	}
	for k, vs := range header {
		req.Header[k] = slices.Clone(vs)
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "SmartLead-Webhook/1.0")
	res, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("simulator: delivery failed: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, nil
}

// Payload renders ev in shape (ShapeSpec or ShapeLive) with the headers
// SmartLead sends with it, signed under secret when it is not empty.
func Payload(ev Sample, shape Shape, secret string) ([]byte, http.Header) {
	h := http.Header{"Content-Type": {"application/json"}}
	if shape == ShapeLive {
		return ev.LiveJSON(secret), h
	}
	body := ev.SpecJSON()
	if secret != "" {
		h.Set(smartlead.SignatureHeader, Sign(body, secret))
	}
	return body, h
}

// Emit delivers ev over real HTTP to the webhooks SmartLead would pick
// for it (see targets: user level first, then client, then campaign; a
// category update only to webhooks with its category), and returns every
// attempt made. A failed attempt (no answer or not 2xx) is retried after
// Options.RetryDelays; DisableAfter consecutive failures disable the
// webhook. Emit returns when each delivery succeeded or was given up. An
// event whose delivery failed is kept for retrigger-failed-events from its
// first failed attempt until one is acknowledged, whether the retries are
// still pending, ran out, or were cut short because ctx ended (then ctx's
// error is returned). A webhook that is disabled gets no attempts at all,
// so nothing is kept for it: only the lead's message history has those
// events, as at SmartLead.
func (s *Server) Emit(ctx context.Context, ev Sample) ([]Delivery, error) {
	s.remember(ev)
	shape := s.opts.Shape
	if shape == ShapeMixed {
		shape = mixedShape(ev)
	}
	targets := s.targets(ev)
	results := make([][]Delivery, len(targets))
	var wg sync.WaitGroup
	for i, h := range targets {
		one := ev
		one.WebhookID, one.WebhookName, one.WebhookURL, one.WebhookCreatedAt = h.w.ID, h.w.Name, h.w.URL, h.created
		body, header := Payload(one, shape, s.opts.Secret)
		wg.Go(func() {
			results[i] = s.deliver(ctx, failedDelivery{hookID: h.w.ID, campaignID: ev.Campaign.ID,
				ev: one, shape: shape, body: body, header: header})
		})
	}
	wg.Wait()
	var all []Delivery
	for _, r := range results {
		all = append(all, r...)
	}
	return all, ctx.Err()
}

// deliver sends one event to one webhook until it is acknowledged, the
// retries run out, the webhook is disabled or removed, or ctx ends. From its
// first failed attempt the event is kept for retrigger-failed-events, until
// an attempt (a retry, or a retrigger) is acknowledged; a retry finds the
// event already delivered by a retrigger and stops.
func (s *Server) deliver(ctx context.Context, f failedDelivery) []Delivery {
	var out []Delivery
	for retry := 0; ; retry++ {
		if f.seq != 0 && !s.stillFailed(f.seq) {
			return out // a retrigger delivered it meanwhile
		}
		d, ok := s.attempt(ctx, &f, false, false)
		if !ok {
			return out // the webhook is gone or disabled
		}
		out = append(out, d)
		if d.OK() {
			s.resolveFailed(f.seq)
			if s.chance(s.opts.DuplicateRate) {
				if dup, ok := s.attempt(ctx, &f, true, false); ok {
					out = append(out, dup)
				}
			}
			return out
		}
		s.recordFailed(&f, d.At)
		if retry >= len(s.opts.RetryDelays) || !s.active(f.hookID) {
			return out
		}
		t := time.NewTimer(s.opts.RetryDelays[retry])
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return out
		case <-s.done:
			t.Stop()
			return out
		}
	}
}

// attempt makes one delivery attempt to the webhook's current URL and
// records it; ok is false when the webhook no longer takes deliveries.
func (s *Server) attempt(ctx context.Context, f *failedDelivery, duplicate, retriggered bool) (Delivery, bool) {
	s.mu.Lock()
	h := s.hooks[f.hookID]
	if h == nil || !h.w.Enabled {
		s.mu.Unlock()
		return Delivery{}, false
	}
	target := h.w.URL
	s.mu.Unlock()
	if !duplicate {
		f.attempts++
	}
	d := Delivery{WebhookID: f.hookID, CampaignID: f.campaignID, EventType: f.ev.Type, Shape: f.shape,
		EventName: f.ev.LiveName(), Body: f.body, Header: f.header.Clone(), Attempt: f.attempts,
		At: time.Now(), Duplicate: duplicate, Retriggered: retriggered}
	if f.shape == ShapeSpec {
		d.EventName = f.ev.specName()
	}
	status, err := Deliver(ctx, s.client, target, f.body, f.header)
	d.Status = status
	if err != nil {
		d.Err = err.Error()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliveries = append(s.deliveries, d)
	if h := s.hooks[f.hookID]; h != nil && !duplicate {
		if d.OK() {
			h.failures = 0
		} else if h.failures++; h.failures >= s.opts.DisableAfter {
			h.w.Enabled = false
			s.log.Warn("webhook disabled after failures", "webhook_id", f.hookID, "failures", h.failures)
		}
	}
	s.log.Debug("delivery", "webhook_id", f.hookID, "event", d.EventName, "status", status, "attempt", d.Attempt)
	return d, true
}

func (s *Server) active(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hooks[id]
	return h != nil && h.w.Enabled
}

func (s *Server) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64() < p
}

// mixedShape picks a shape from the event itself, so that every delivery of
// one event (a retry, a duplicate) comes in the same shape, as it would
// from one SmartLead account.
func mixedShape(ev Sample) Shape {
	if ev.Type == event.CategoryUpdated || ev.Type == event.Other {
		return ShapeLive // the spec has no such event: SmartLead sends it flat
	}
	h := fnv.New32a()
	h.Write([]byte(ev.StatsID))
	h.Write([]byte(ev.Type))
	h.Write([]byte(ev.At.String()))
	if h.Sum32()%2 == 0 {
		return ShapeLive
	}
	return ShapeSpec
}
