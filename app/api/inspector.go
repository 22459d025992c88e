package api

import (
	"slices"
	"strconv"
	"time"
)

// The inspector's list of deliveries (GET /api/deliveries).

// deliveryList is the inspector's list, newest first: this run's answers from
// memory (Control.RecentDeliveries), then, further back, the rejected log
// and the stored events.
func (s *Server) deliveryList(limit int) ([]Delivery, error) {
	var out []Delivery
	for _, d := range s.cfg.Control.RecentDeliveries(limit) {
		out = append(out, Delivery{Delivery: d})
	}
	if len(out) < limit {
		older, err := s.storedDeliveries(limit)
		if err != nil {
			return nil, err
		}
		cutoff := time.Now().Add(time.Hour)
		if len(out) > 0 {
			cutoff = out[len(out)-1].At
		}
		for _, d := range older {
			if d.At.Before(cutoff) {
				out = append(out, d)
			}
		}
		slices.SortStableFunc(out, func(a, b Delivery) int { return b.At.Compare(a.At) })
	}
	if len(out) > limit {
		out = out[:limit]
	}
	for i := range out {
		if id := out[i].EventID; id != "" {
			if ev, err := s.cfg.Store.Event(id); err == nil {
				out[i].Type, out[i].SourceType, out[i].VerifiedBy = string(ev.Type), ev.SourceType, ev.VerifiedBy
			}
		}
	}
	return out, nil
}

// storedDeliveries rebuilds what the log forgot across a restart: rejected
// deliveries from the rejected log, accepted ones from the newest events.
func (s *Server) storedDeliveries(limit int) ([]Delivery, error) {
	rejected, err := s.cfg.Store.Rejections(limit)
	if err != nil {
		return nil, err
	}
	var out []Delivery
	for _, r := range rejected {
		d := Delivery{}
		d.At, d.Status, d.Reason, d.Remote, d.Headers, d.Body, d.BodySize = r.At, r.Status, r.Reason, r.Remote, r.Headers, string(r.Body), r.BodySize
		out = append(out, d)
	}
	last, err := s.cfg.Store.LastID()
	if err != nil {
		return nil, err
	}
	n, _ := strconv.ParseUint(last, 10, 64)
	from := uint64(0)
	if n > uint64(limit) {
		from = n - uint64(limit)
	}
	evs, err := s.cfg.Store.After(strconv.FormatUint(from, 10), limit)
	if err != nil {
		return nil, err
	}
	for _, ev := range evs {
		d := Delivery{}
		d.At, d.Status, d.EventID = ev.ReceivedAt, 200, ev.ID
		if full, err := s.cfg.Store.Event(ev.ID); err == nil {
			d.Body, d.BodySize = string(full.Raw), len(full.Raw)
		}
		out = append(out, d)
	}
	return out, nil
}
