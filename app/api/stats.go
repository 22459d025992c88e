package api

import (
	"fmt"
	"slices"
	"time"

	"github.com/leadbell/leadbell/event"
)

// The overview's figures (GET /api/stats).

// overview is GET /api/stats: events per hour over 24 hours, or per day
// over 30 days, and per campaign with its reply rate.
func (s *Server) overview(rangeName string, now time.Time) (Stats, error) {
	var from time.Time
	var step time.Duration
	var n int
	switch rangeName {
	case "24h", "":
		rangeName, step, n = "24h", time.Hour, 24
		from = now.Truncate(time.Hour).Add(-23 * time.Hour)
	case "30d":
		step, n = 24*time.Hour, 30
		y, m, d := now.Date()
		from = time.Date(y, m, d, 0, 0, 0, 0, now.Location()).AddDate(0, 0, -29)
	default:
		return Stats{}, fmt.Errorf("%w: range is 24h or 30d", ErrInvalid)
	}
	o, err := s.cfg.Store.Overview(from, step, n)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Range: rangeName, Buckets: o.Buckets, Campaigns: make([]CampaignStats, 0, len(o.Campaigns))}
	for _, c := range o.Campaigns {
		cs := CampaignStats{ID: c.ID, Name: c.Name, Counts: c.Counts}
		if sent := c.Counts[event.Sent]; sent > 0 {
			cs.ReplyRate = float64(c.Counts[event.Replied]) / float64(sent)
		}
		st.Campaigns = append(st.Campaigns, cs)
	}
	slices.SortFunc(st.Campaigns, func(a, b CampaignStats) int {
		return b.Counts[event.Replied] - a.Counts[event.Replied]
	})
	return st, nil
}
