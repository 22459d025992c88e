package simulator

import (
	"context"
	"net/http"
	"slices"
	"time"
)

// failedDelivery is an event whose delivery to one webhook failed and that
// no attempt has delivered since: what retrigger-failed-events re-sends.
type failedDelivery struct {
	seq        int // identifies the record; 0 until the first failure
	hookID     string
	campaignID string
	ev         Sample
	shape      Shape
	body       []byte
	header     http.Header
	attempts   int
	at         time.Time // of the first failed attempt
}

// recordFailed keeps f after a failed attempt made at: the first failure
// adds it (and gives f its seq), later ones update its attempt count.
func (s *Server) recordFailed(f *failedDelivery, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.seq == 0 {
		s.failSeq++
		f.seq, f.at = s.failSeq, at
		s.failed = append(s.failed, *f)
		return
	}
	if i := s.failedIndex(f.seq); i >= 0 {
		s.failed[i].attempts = max(s.failed[i].attempts, f.attempts)
	}
}

// stillFailed reports whether the record seq is still undelivered.
func (s *Server) stillFailed(seq int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failedIndex(seq) >= 0
}

// resolveFailed drops the record seq (0: none) once it was delivered.
func (s *Server) resolveFailed(seq int) {
	if seq == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.failedIndex(seq); i >= 0 {
		s.failed = slices.Delete(s.failed, i, i+1)
	}
}

// failedIndex finds the record seq in s.failed; s.mu must be held.
func (s *Server) failedIndex(seq int) int {
	return slices.IndexFunc(s.failed, func(f failedDelivery) bool { return f.seq == seq })
}

// Undelivered returns the events whose delivery failed and that no attempt
// (a retry or a retrigger) has delivered since, oldest failure first: what
// a retrigger-failed-events over their time would re-send.
func (s *Server) Undelivered() []Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Sample, 0, len(s.failed))
	for _, f := range s.failed {
		out = append(out, f.ev)
	}
	return out
}

// retrigger re-delivers, once each and at once, the campaign's failed
// events whose first failure falls in [from, to], to webhooks that still
// take deliveries, with the body and signature of the first attempt. It
// returns how many it sent; those acknowledged are no longer failed (and
// their pending retries stop).
func (s *Server) retrigger(ctx context.Context, campaignID string, from, to time.Time) int {
	s.mu.Lock()
	var picked []failedDelivery
	for _, f := range s.failed {
		if f.campaignID == campaignID && !f.at.Before(from) && !f.at.After(to) {
			picked = append(picked, f)
		}
	}
	s.mu.Unlock()
	sent := 0
	for _, f := range picked {
		d, ok := s.attempt(ctx, &f, false, true)
		if !ok {
			continue // the webhook is gone or disabled: still failed
		}
		sent++
		if d.OK() {
			s.resolveFailed(f.seq)
		} else {
			s.recordFailed(&f, d.At)
		}
	}
	return sent
}
